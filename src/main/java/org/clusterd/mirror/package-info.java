/**
 * Mirroring of the groups' data from a group's owner to the other node (architecture rules 3-5).
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link org.clusterd.mirror.MirrorService}: the seam with the daemon. Built from the {@code
 * ClusterConfig} and a {@link org.clusterd.mirror.MirrorGuard}; Quartz runs one job per set; {@code
 * resync(group, phase)} for the daemon's resync; {@code status()} for the views; events to a
 * consumer.</li>
 * <li>{@link org.clusterd.mirror.Scanner}: streams a set's tree in {@link org.clusterd.mirror.PathOrder}
 * into an {@link org.clusterd.mirror.EntryFile}; hashes only what changed since the last common
 * sync, and reports what differs from it.</li>
 * <li>{@link org.clusterd.mirror.SumsStore}, {@link org.clusterd.mirror.BlockSums}: per node, the block
 * checksums and resumable hash state of large files, so a grown file's old part is verified without
 * hashing it again (see "Appends" below).</li>
 * <li>{@link org.clusterd.mirror.ManifestStore}: the last common sync per set, crash-safe, streamed.</li>
 * <li>{@link org.clusterd.mirror.Reconciler}: the pure three-way planner.</li>
 * <li>{@code Sender} / {@code Receiver}: the two ends of a session over mutual TLS 1.3 ({@link
 * org.clusterd.mirror.MirrorTls}, AES-128-GCM preferred), framed by {@link org.clusterd.mirror.Frames}.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>Each file lands through a temporary file, its metadata, a sync, then one atomic step that puts
 * it at its path; directories are forced before the new manifest is written. A small file where
 * nothing was (most of a full copy) is made without a name in its target's directory ({@code
 * O_TMPFILE}) and named by one {@code linkat} once durable ({@link org.clusterd.mirror.LandingFile}):
 * a crash leaves no temporary name behind. Other small files, and all of them where the file system
 * has no {@code O_TMPFILE} or 2048 already wait for a sync, are created as {@code .clusterd-tmp-*} in
 * landing directories of their own at the set's root ({@link org.clusterd.mirror.LandingDirs}, one
 * per landing thread, removed when the session ends), large ones beside their target; those are
 * renamed. Neither the link nor a new file's rename replaces anything ({@code renameat2} with {@code
 * RENAME_NOREPLACE}): something that appeared at its path since the scan is looked at as for a
 * replaced file. Files are reached through their held directory's descriptor ({@link
 * org.clusterd.mirror.AtPath}, {@link org.clusterd.mirror.FdFiles}): {@code openat}, {@code statx},
 * {@code fchown}, {@code futimens}, {@code linkat} and {@code renameat2} look up one name, where the
 * same file's path {@code /proc/self/fd/N/NAME} walked {@code /proc} on every call.
 * The sync is shared ({@link org.clusterd.mirror.MirrorSync}): one {@code syncfs(2)} of the set's file
 * system covers every file whose data and metadata were written before it began, where an fsync per
 * file flushed the disk's cache 50,000 times in a full copy. Files on another file system mounted
 * inside the set, kernels before Linux 5.8 (whose {@code syncfs} does not report write-back errors)
 * and a C library JNA cannot reach get an fsync each, 16 at once. A large file's data, and a new
 * small file's whole blocks from {@value org.clusterd.mirror.FdFiles#DIRECT_FROM} bytes up, go past
 * the page cache ({@code O_DIRECT}; {@link org.clusterd.mirror.DirectWrite}), so the sync finds them
 * written; where the file system refuses that or a direct write fails, they are written cached. A
 * large file is flushed every 32 MiB while it arrives; neither changes when a file lands. An
 * append is written in place after a journal entry in the state directory; a crash is undone (cut back
 * to the old length) at the start of the next session. The manifest advances only when a pass
 * completed without a failed operation, on the peer first, then on the owner; if the two differ the
 * next pass plans without a base (nothing deleted, every difference a conflict).</li>
 * <li>Deletions only when the last common sync proves them, never after a read error on either side,
 * never more than {@code maxDeleteShare} of a set (more than {@value
 * org.clusterd.mirror.Reconciler#MASS_DELETE_FLOOR} paths); never while the set root lacks its marker
 * {@code .clusterd-mirror} after it was mirrored once (an unmounted file system).</li>
 * <li>Replaced and deleted files go to {@code STATE/mirror-trash/SET/STAMP/}, bounded by {@code
 * trashMaxBytes} (oldest passes first); conflict copies stay beside the file
 * ({@code NAME.clusterd-conflict-<UTC>-<node>.EXT}), at most {@value
 * org.clusterd.mirror.Conflicts#MAX_PER_FILE} per file, never copies of copies; in a Maildir next to
 * {@code cur/new/tmp}, not inside.</li>
 * <li>Every path from the peer is checked: relative, no {@code .} or {@code ..}, never through a
 * symlink. The check and the use are one: each directory is held open ({@link
 * org.clusterd.mirror.AnchoredDirs}, opened beneath the set's root without following links) and its
 * files are reached through the descriptor, so a directory swapped for a symlink after its check is
 * not followed, on either node. Symlinks are neither sent nor created unless every {@code ..} of
 * their target comes first and climbs no higher than their directory ({@link
 * org.clusterd.mirror.PathGuard#linkStaysInside}): then no chain of the set's links leads out.</li>
 * </ul>
 *
 * <h2>Appends</h2>
 * A file the last common sync recorded with size {@code L} and hash {@code H} that is now longer is sent
 * as an append (only bytes {@code L..} travel; the peer appends in place under its journal) when the
 * owner's first {@code L} bytes still hash to {@code H}. Files below {@value
 * org.clusterd.mirror.BlockSums#MIN_SIZE} bytes are simply hashed again. For larger ones the owner keeps,
 * from the last time it read the whole file, a 64-bit checksum (CRC32C and CRC32) of every 1 MiB block
 * and the MurmurHash3 state after the last byte ({@code STATE/mirror/SET.sums}). When that state's hash
 * is exactly {@code H} (so the checksums describe the recorded content), the owner reads all of
 * {@code 0..L} again and compares every block with its checksum, then hashes only the new bytes from the
 * saved state, which gives the full file's hash without hashing the old part. What is verified: every
 * byte of the old part, by checksum instead of by the content hash. Why that is safe enough: a change
 * inside the old part goes unnoticed only if both CRCs of its 1 MiB block stay the same, which never
 * happens for a change of up to 32 adjacent bits and otherwise about once in 2^64; the threat is a mail
 * client or editor rewriting a file, not an adversary (who could write to the set anyway). A spool
 * rewritten in place (a flag header updated at the same length, a message expunged, whatever the new
 * size) fails the check, is hashed in full and claims no prefix, so it is replaced as a whole or, under
 * policy {@code mbox} when the peer changed it too, merged message by message, never appended to. The
 * checksums are a cache: a missing, damaged or stale record (its hash is not {@code H}) means a full
 * hash; full-checksum mode never uses them. The check runs on a thread of its own while the walk goes
 * on. Reading 1 GB at checksum speed is still the floor of an append's pass.
 *
 * <h2>Peer scans relative to the common sync</h2>
 * When the owner's HELLO names the id of its last common sync and the peer holds the same one, the peer
 * sends only the entries that differ from it and the paths of it that it did not find ({@code
 * SCAN_CHANGES}); the owner merges them with its own copy of that sync, which is identical (same id,
 * checksummed file). If both scans equal the sync entry for entry the pass ends without planning.
 * When both sides differ from it in at most {@value org.clusterd.mirror.Reconciler#MASS_DELETE_FLOOR}
 * paths (and the policy is not {@code maildir}, whose moves need every message), only those paths are
 * planned: every other one is the same on both nodes as in the sync. The new manifest then travels as
 * its changes to the old one ({@link org.clusterd.mirror.Frames#MANIFEST_CHANGES}); the peer rebuilds
 * it from its copy and publishes it only with the owner's entry count and checksum, else the owner
 * sends it whole. An owner or peer that does not know these keeps sending and receiving whole scans
 * and manifests.
 *
 * <h2>New files</h2>
 * On the owner of a {@code copy} set the scan leaves files the last common sync does not hold
 * unhashed: each is hashed while it is sent, and the manifest records that hash (the peer counts a
 * whole file's bytes against its size, as TLS already authenticated them, and checks the hash of
 * what it builds partly from its own bytes: deltas, tails, mbox merges; {@link org.clusterd.mirror.Arrival}). Before planning, only the new files the peer also holds at the same path are
 * hashed, so identical files are still told from conflicts by content. A first copy of data that is
 * not in the page cache reads every file once instead of twice. {@code mbox} and {@code maildir} sets
 * hash everything in the scan, as their merges compare content across paths.
 *
 * <h2>Carried and not carried</h2>
 * Carried: content, permission bits (including setuid/setgid/sticky), modification time to the
 * nanosecond the file system keeps, owner and group (only when both nodes run as root), user extended
 * attributes ({@code user.*}, up to 64 KiB per file), symlinks as links. Not carried: POSIX ACLs,
 * {@code security.*} and {@code trusted.*} attributes (Samba's {@code security.NTACL}, SELinux labels),
 * hard links (each name becomes its own file), file flags (chattr), access times, special files
 * (devices, FIFOs, sockets), directory modification times. A change of extended attributes alone is
 * not noticed (they travel with the next content change). File names must be valid UTF-8.
 *
 * <h2>Mail</h2>
 * Policy {@code mbox}: the spool's dotlock {@code NAME.lock} and an fcntl lock are held while a spool
 * is read on the owner and while it is replaced or merged on the peer. Policy {@code maildir}: IMAP
 * index files are excluded ({@code dovecot-uidlist}, {@code dovecot.index*}, ...); after a takeover
 * or resync Dovecot rebuilds them by itself, or force it with {@code doveadm force-resync -u USER '*'}.
 *
 * <h2>Keys</h2>
 * {@link org.clusterd.mirror.MirrorKeys} (or its keytool recipe) makes each node's PKCS12 keystore, a
 * shared truststore and a mode-600 password file.
 *
 * <h2>Benchmark</h2>
 * {@code java --add-opens java.base/sun.nio.fs=ALL-UNNAMED -cp target/clusterd.jar
 * org.clusterd.mirror.bench.MirrorBenchmark --files 50000 --tree-mb 1024 --mbox-mb 1024 --runs 3}
 * (as root; needs the {@code rsync} package, and {@code openssh-server} for the ssh columns; {@code
 * --cases} picks cases; it refuses a {@code --dir} that is neither empty nor its own). Measured on
 * the 2-core development machine, a virtual machine (AMD EPYC, with AVX-512 and VAES since
 * 2026-11-27; ext4 without a journal) whose system calls cost 2-5 us; medians of 3, the tools
 * alternating, each run after a {@code sync}; four untimed JIT warm-up copies of a side tree of the
 * same mix at a fifth of the size first; before each full copy the page cache dropped and the source
 * read back, so every tool starts with the same free memory; the incremental cases after 3 untimed
 * passes of each (0.1% of the files changed, mail appended); both nodes in one JVM (the peak heap is
 * both), so they share the 2 cores. rsync's full copy is timed as it is, followed by one {@code sync}
 * inside the timing, and with {@code --fsync} (this machine has no sshd, so no ssh columns):
 * <pre>
 * case                    ours (s)  rsync (s)  ratio  +sync (s)  ratio  +fsync (s)  ratio  peak heap
 * full copy                   4.31       7.04   0.61       7.83   0.55       19.73   0.22    228 MiB
 * no change                   0.17       0.45   0.37          -      -           -      -     69 MiB
 * 1% of files changed         0.50       0.76   0.66          -      -           -      -    146 MiB
 * 1 MiB appended to mbox      0.38       2.62   0.14          -      -           -      -    109 MiB
 * </pre>
 * (2026-11-28, commit c6770a8.) Each of our full copies against the rsync run beside it: 0.60, 0.75,
 * 0.57. An hour earlier on 60290e0: full copy 0.66 (pairs 0.71, 0.62, 0.64), no change 0.20 s
 * (0.44), 1% changed 0.60, append 0.16; three runs of the full copy alone that evening gave 0.73,
 * 0.79 and 0.68 (medians of 3).
 * Ours took 4.0-4.9 s with 7.1-8.7 CPU seconds (user 2.5-3.8, system 4.3-5.9), rsync 5.8-7.2 s with
 * 7.6-9.2; on this machine's faster days rsync took 4.3-4.6 s with 6.5 CPU seconds, and both tools
 * move with the machine, so the ratio, not the seconds, is what compares.
 * What made the full copy faster than rsync: the receiver writes a large file's data, and a new
 * small file's whole blocks from {@value org.clusterd.mirror.FdFiles#DIRECT_FROM} bytes up, past the
 * page cache ({@code O_DIRECT}). Copying into the page cache ran at 0.65 GB/s on this virtual machine
 * (dd: a gigabyte in 1.65 s, where 1 MiB direct writes took 0.58 s) and was 35% of the full copy's
 * CPU (async-profiler), more than TLS and the network together; the session's sync then wrote the
 * same data out again. With it, system CPU per copy fell from 6.0-9.0 s (the runs before it, on faster and slower days) to
 * 4.3-5.9 s. Small direct writes
 * do not pay: each is submitted to the device and waited for, while write-back batches many files,
 * and direct writes from 4 KiB up cost as much CPU as the copies they replaced. rsync leaves its data
 * in the page cache, unwritten, when its timing ends.
 * Earlier: files named through their held directory's descriptor ({@link
 * org.clusterd.mirror.FdFiles}: {@code openat}, {@code statx} of the open file, {@code fchown},
 * {@code futimens}) instead of {@code /proc/self/fd/N/NAME} paths, whose walk of {@code /proc} was a
 * tenth of the copy's CPU; a new small file made unnamed in its target's directory and named with one
 * {@code linkat} once durable, where a temporary name in a landing directory cost a second directory
 * entry and a rename across directories, which the kernel serialises per file system; reads and
 * writes through direct buffers (JNA copied a {@code byte[]} to C memory and back on every call);
 * AES-GCM from the Amazon Corretto Crypto Provider (AWS-LC) instead of JDK 17's, which has no AVX-512
 * GCM; a whole file counted on arrival, not hashed a second time; {@code RENAME_NOREPLACE} instead of
 * an lstat and a rename.
 * Where the full copy's CPU went before the direct writes (async-profiler over the timed passes, both
 * nodes): writing into the page cache 35%, socket reads and writes 13%, creating and linking files
 * 8% (ext4's inode allocator, which without a journal looks up the inode table block of each
 * candidate inode to skip recently freed ones; rsync pays it per file too, and much more when a run
 * starts less than six minutes after the last one deleted its trees), AES-GCM 4%, the JIT compiler
 * 4%, MurmurHash3 of what is sent 3.5%, reading the source 3.5%, copies between buffers 3.5%.
 * After them (bb71539; 28% fewer samples for the same copy): socket reads and writes 18%, creating
 * and linking files 11%, writing the data 9% (7 points of it small files into the page cache), the
 * JIT compiler 7%, copies between Java buffers 6%, AES-GCM 6%, MurmurHash3 5%, reading the source 4%.
 * Tried and not kept: gathering TLS records into 256 KiB socket writes and reads (no CPU saved once
 * AWS-LC did the cipher), Temurin 25.
 * The no-change pass is two walks of 50,000 entries, one per node, at the same time on the two
 * cores; kernel path lookups and attribute reads are most of it.
 * All four targets are met: no change under 2 s and at most half of rsync's (0.37), the append at
 * most a fifth (0.14), the full copy no slower than plain rsync (0.61; rsync followed by one sync
 * 0.55, {@code rsync --fsync}, the same per-file durability, 0.22).
 */
package org.clusterd.mirror;
