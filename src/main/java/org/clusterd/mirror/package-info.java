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
 * <li>Each file lands through a temporary file ({@code .clusterd-tmp-*}), its metadata, a sync, then
 * an atomic rename; directories are forced before the new manifest is written. Small files are
 * created in landing directories of their own at the set's root ({@link
 * org.clusterd.mirror.LandingDirs}, one per landing thread, removed when the session ends), large
 * ones beside their target.
 * The sync is shared ({@link org.clusterd.mirror.MirrorSync}): one {@code syncfs(2)} of the set's file
 * system covers every file whose data and metadata were written before it began, where an fsync per
 * file flushed the disk's cache 50,000 times in a full copy. Files on another file system mounted
 * inside the set, kernels before Linux 5.8 (whose {@code syncfs} does not report write-back errors)
 * and a C library JNA cannot reach get an fsync each, 16 at once. A large file is flushed every 32 MiB
 * while it arrives; neither changes when a file lands. An
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
 * unhashed: each is hashed while it is sent (the hash the peer checks at END), and the manifest
 * records that hash. Before planning, only the new files the peer also holds at the same path are
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
 * the 2-core development machine, a virtual machine (ext4 without a journal) whose system calls
 * cost 2-5 us; medians of 3, the tools alternating, each run after a {@code sync}; four untimed JIT
 * warm-up copies of a side tree of the same mix at a fifth of the size first; before each full copy
 * the page cache dropped and the source read back, so every tool starts with the same free memory;
 * the incremental cases after 3 untimed passes of each (0.1% of the files changed, mail appended);
 * both nodes in one JVM (the peak heap is both), so they share the 2 cores. rsync's full copy is
 * timed as it is, followed by one {@code sync} inside the timing, with {@code --fsync}, and over
 * ssh with AES-128-GCM (as it is and followed by one {@code sync}):
 * <pre>
 * case                    ours (s)  rsync (s)  ratio  +sync (s)  ratio  +fsync (s)  ratio  ssh (s)  ratio  ssh+sync (s)  ratio  peak heap
 * full copy                  11.96       7.20   1.66      10.66   1.12       36.82   0.32    12.26   0.98         16.92   0.71    194 MiB
 * no change                   0.40       0.82   0.49          -      -           -      -        -      -             -      -     97 MiB
 * 1% of files changed         1.09       1.36   0.80          -      -           -      -        -      -             -      -    146 MiB
 * 1 MiB appended to mbox      0.75       6.81   0.11          -      -           -      -        -      -             -      -    117 MiB
 * </pre>
 * (2026-11-28, commit 6a32c85.) Ours' full copies took 11.50-12.56 s (8.3-9.0 s user, 10.3-11.5 s
 * system CPU of the machine), rsync's 6.90-7.36 s (1.7 and 8.5-9.2); from one evening to the next
 * both move by a second (ours 10.83-12.56 s, rsync 6.27-7.54 s over the last three evenings), so the
 * ratios against rsync doing the same job are the steadier yardstick.
 * Where the full copy's CPU goes (perf over the whole machine during the timed copy, CPU seconds):
 * kernel 11.3 for ours against 9.1 for plain rsync, the difference mostly the write-back of what
 * ours makes durable (kernel flusher threads 1.5); user 8.5 against 1.8. Of ours' user time
 * (async-profiler): AES-128-GCM in the JDK's TLS on both nodes 2.3 (GHASH 1.5 of it: JDK 17's fast
 * GCM needs AVX-512, which this AMD EPYC lacks), TLS records and their copies about 1, Murmur3
 * hashing 0.9, the JIT 1.0, the rest per-file work spread thin. Both cores are busy for the whole
 * copy, so it is bound by CPU here: rsync's kernel time plus write-back plus the TLS alone come to
 * about 14 CPU seconds, 7 s of both cores, already plain rsync's time; rsync without ssh neither
 * encrypts nor makes anything durable before it ends. Tried and not kept: the same jar on Temurin 25
 * (10.90 s, user 8.2) and Amazon Corretto Crypto Provider 2.5.0 for AES-GCM (11.90 s, user 8.3).
 * The no-change pass is two walks of 50,000 entries, one per node, at the same time on the two
 * cores; kernel path lookups and attribute reads are most of it.
 * Met: no change under 2 s and at most half of rsync's (0.49); the append at most a fifth (0.11).
 * Not met: the full copy as fast as plain rsync (1.66). Against rsync doing the same job it is
 * level or ahead: rsync followed by one sync 1.12 (1.04 the evening before), rsync over ssh 0.98,
 * rsync over ssh then sync 0.71, {@code rsync --fsync}, the same per-file durability, 0.32.
 */
package org.clusterd.mirror;
