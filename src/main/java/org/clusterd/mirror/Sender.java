package org.clusterd.mirror;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.clusterd.config.MirrorSetConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's side of one mirror pass of one set: scans locally while the peer scans, plans with the
 * {@link Reconciler} (first to count, so a mass deletion stops before anything is touched, then to
 * act), sends the operations pipelined (a reader thread collects the answers in order), and finally
 * stores the new last common sync on the peer and then here. Any failed operation fails the pass:
 * the manifest is then not advanced, and the next pass starts over from what is on disk.
 */
final class Sender {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    static final int CHUNK = 256 * 1024;
    static final int MAX_IN_FLIGHT = 2048;

    private final MirrorEngine env;
    private final MirrorSetConfig cfg;
    private final String set;
    private final String group;
    private final Path root;
    /** Resolves the files sent, in path order; see {@link PathGuard.Resolver}. */
    private final PathGuard.Resolver resolver;
    private DataInputStream in;
    private Socket socket;
    private Thread reader;
    private LazyFlush out;
    private final ArrayDeque<Pending> order = new ArrayDeque<>();
    private final ArrayDeque<Pending> awaiting = new ArrayDeque<>();
    private volatile CompletableFuture<byte[]> signature;
    private final CompletableFuture<byte[]> finished = new CompletableFuture<>();
    private final CompletableFuture<byte[]> manifestOk = new CompletableFuture<>();
    private volatile String broken;
    private ManifestStore.Pending manifest;
    private EntryIterator baseForManifest;
    private boolean manifestDiffers;
    /** Each side's differences from the last common sync while they are few ({@link #planChanges}). */
    private final FewDifferences ownerDiffs = new FewDifferences();
    private final FewDifferences peerDiffs = new FewDifferences();
    /** With {@link #planChanges}: the new manifest is the last common sync with the recorded outcomes applied. */
    private ChangeMerge manifestMerge;
    /** With {@link #planChanges}: where the new manifest differs from the last common sync (null: gone), in order. */
    private final java.util.List<Map.Entry<String, FileEntry>> manifestChanges = new java.util.ArrayList<>();
    private long filesMoved;
    private long bytesMoved;
    private long conflicts;
    private long deleted;
    private long changed;
    private String firstFailure;
    /** "DIR/" while the plan walks the paths under a peer directory replaced by a file or link, else null. */
    private String movedDir;
    /** Files this node could not read while sending, and the first of them with its reason. */
    private long unreadableFiles;
    private String firstUnreadable;
    /** Records the peer's scan sent, and whether relative to the common sync (for the log). */
    private long peerRecords;
    private boolean peerRelative;
    /** The peer's relative scan had no difference from the last common sync. */
    private boolean peerUnchanged;
    /** {@link Frames#CAN_MANIFEST_CHANGES} and the like, from HELLO_OK (0 from older peers). */
    private int peerCapabilities;

    /**
     * A buffered stream whose flush does nothing when nothing was written since the last one: every
     * planned action ends in a flush, and tens of thousands of in-sync paths send nothing.
     */
    private static final class LazyFlush extends BufferedOutputStream {
        private boolean dirty;

        LazyFlush(OutputStream out) {
            super(out, 1 << 16);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            dirty = true;
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            dirty = true;
            super.write(b, off, len);
        }

        synchronized boolean dirty() {
            return dirty;
        }

        @Override
        public synchronized void flush() throws IOException {
            if (dirty) {
                dirty = false;
                super.flush();
            }
        }
    }

    /** One planned action and, once known, the peer's answer. */
    private static final class Pending {
        final Action action;
        final FileEntry base;
        Receiver.Status status;
        String message;
        String conflictCopy;
        /** The content hash of what was sent (a new file's hash, which the scan left out). */
        String sentHash;
        /** This node could not read the file: it was not sent, and the pass fails once the rest is done. */
        boolean unreadable;
        /** Under a peer directory this pass moves aside whole: nothing to do here, and nothing learnt. */
        boolean underMovedDir;

        Pending(Action action, FileEntry base) {
            this.action = action;
            this.base = base;
        }
    }

    Sender(MirrorEngine env, String set) {
        this.env = env;
        this.set = set;
        this.cfg = env.set(set);
        this.group = env.groupOf(set);
        this.root = cfg.path();
        this.resolver = new PathGuard.Resolver(root);
    }

    PassResult run() {
        long start = env.now();
        try {
            return pass(start);
        } catch (IOException | RuntimeException e) {
            String reason = broken != null ? broken : e.getMessage() == null ? e.toString() : e.getMessage();
            log.warn("Mirror pass of {} failed: {}", set, reason);
            return PassResult.failed(set, reason, env.now() - start);
        } finally {
            resolver.close();
        }
    }

    private PassResult pass(long start) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return PassResult.failed(set, "the set's directory " + root + " is missing", 0);
        }
        ManifestStore.Loaded base = env.manifests().load(set);
        Path marker = root.resolve(Excludes.MARKER);
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            if (base.count() > 0) {
                return PassResult.failed(set, "the set's directory " + root + " has no marker " + Excludes.MARKER
                        + " although it was mirrored before: is its file system unmounted? If the directory is right,"
                        + " create the marker: echo " + set + " > " + marker, 0);
            }
            Files.writeString(marker, set + "\n");
        }
        Path srcScan = env.manifests().dir().resolve(set + ".scan-local");
        Path dstScan = env.manifests().dir().resolve(set + ".scan-peer");
        long t0 = System.nanoTime();
        long tExecuted = t0;
        long tFinished = t0;
        try (Socket socket = env.connect()) {
            this.socket = socket;
            socket.setSoTimeout(Math.max(env.timeoutMs(), MirrorEngine.READ_TIMEOUT_MS));
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            out = new LazyFlush(socket.getOutputStream());
            send(Frames.HELLO, Frames.payload(o -> {
                o.writeInt(Receiver.PROTOCOL);
                o.writeUTF(env.cluster());
                o.writeUTF(env.localNode());
                o.writeUTF(set);
                o.writeUTF(group);
                o.writeUTF(base.lost() ? "" : base.id());
            }));
            CompletableFuture<Scanner.Result> local = CompletableFuture.supplyAsync(() -> scanLocal(srcScan));
            Frames.Frame hello = read();
            if (hello.type() == Frames.ERROR) {
                local.join();
                return PassResult.failed(set, "the peer refused: " + hello.in().readUTF(), env.now() - start);
            }
            if (hello.type() != Frames.HELLO_OK) {
                throw new IOException("unexpected answer " + hello.type() + " to HELLO");
            }
            DataInputStream h = hello.in();
            String peerBaseId = h.readUTF();
            boolean peerIsRoot = h.readBoolean();
            if (h.available() > 0) {
                h.readUTF(); // the peer's node name
            }
            peerCapabilities = h.available() >= 4 ? h.readInt() : 0;
            boolean shared = !base.id().isEmpty() && !base.lost() && peerBaseId.equals(base.id());
            long peerErrors = receiveScan(dstScan, shared);
            Scanner.Result src;
            long localDifferences;
            try {
                src = local.get();
                localDifferences = src.differences();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IOException("local scan failed: " + e.getCause().getMessage(), e.getCause());
            }
            long unreadable = src.unhashed() > 0 ? hashWhereThePeerHasThePath(srcScan, dstScan) : 0;
            long tScanned = System.nanoTime();
            if (shared && peerUnchanged && localDifferences == 0 && !src.hadErrors() && peerErrors == 0) {
                // both scans equal the last common sync entry for entry: every path is in sync, which is
                // what the planner would find, without reading three entry files to find it
                bye(true);
                log.info("Mirror pass of {}: in sync after {} ms ({} paths, unchanged on both nodes since the last"
                        + " common sync)", set, (System.nanoTime() - t0) / 1_000_000, base.count());
                return new PassResult(set, PassResult.Status.OK, "", 0, 0, 0, 0, 0, env.now() - start);
            }
            boolean sameBase = peerBaseId.equals(base.id());
            if (!sameBase) {
                log.warn("Mirror set {}: the peer's last common sync ({}) is not ours ({}): planning without one"
                        + " (nothing deleted, every difference a conflict)", set, peerBaseId, base.id());
            }
            Map<String, FileEntry> messages = cfg.policy() == MirrorSetConfig.Policy.MAILDIR ? messages(srcScan) : Map.of();
            boolean deletesAllowed = !src.hadErrors() && peerErrors == 0 && unreadable == 0;
            Reconciler.Options options = new Reconciler.Options(cfg.policy(), cfg.fullChecksum(), deletesAllowed,
                    Meta.ROOT && peerIsRoot, messages);
            Reconciler.Summary summary = null;
            boolean[] baseWouldChange = {!sameBase || base.lost()};
            // a delete needs a path the owner's scan lacks or (maildir) one only the peer has: both are
            // differences from the common sync, so with few of them no plan can be a mass deletion, and
            // the counting plan is skipped (a plan without changes then finds nothing to send)
            boolean fewDifferences = sameBase && !base.lost() && peerRelative
                    && localDifferences + peerRecords <= Reconciler.MASS_DELETE_FLOOR;
            if (!fewDifferences) {
                try (EntryIterator b = sameBase ? env.manifests().open(set) : EntryIterator.empty();
                     EntryFile.Reader s = EntryFile.open(srcScan); EntryIterator t = peerScan(dstScan)) {
                    summary = Reconciler.plan(b, s, t, options, (a, x) -> {
                        if (!baseWouldChange[0] && !java.util.Objects.equals(manifestEntry(x), manifestEntry(unchangedBase(a)))) {
                            baseWouldChange[0] = true;
                        }
                    });
                }
                if (summary.changes() == 0 && summary.conflicts() == 0 && summary.skips() == 0 && !baseWouldChange[0]) {
                    // nothing to do and nothing to record: the pass is complete after one look
                    bye(true);
                    log.info("Mirror pass of {}: in sync after {} ms ({} paths; the peer sent {} scan records{})", set,
                            (System.nanoTime() - t0) / 1_000_000, summary.inSync(), peerRecords,
                            peerRelative ? " relative to the common sync" : "");
                    return new PassResult(set, PassResult.Status.OK, "", 0, 0, 0, 0, 0, env.now() - start);
                }
                if (summary.massDelete(cfg.maxDeleteShare())) {
                    env.emit(new MirrorEvent.MassDeleteRefused(env.now(), set, group, summary.deletes(), summary.baseCount()));
                    bye(false);
                    return PassResult.failed(set, "refused to delete " + summary.deletes() + " of " + summary.baseCount()
                            + " paths (more than " + Math.round(cfg.maxDeleteShare() * 100) + "%): was the directory emptied"
                            + " or unmounted?", env.now() - start);
                }
            }
            long tPlanned = System.nanoTime();
            reader = new Thread(this::readAnswers, "mirror-answers-" + set);
            reader.setDaemon(true);
            reader.start();
            String newId = UUID.randomUUID().toString();
            manifest = env.manifests().begin(set, newId);
            // few differences (not maildir, whose moves need every message): only their paths are planned
            boolean changesOnly = fewDifferences && cfg.policy() != MirrorSetConfig.Policy.MAILDIR;
            try (EntryIterator b = sameBase ? env.manifests().open(set) : EntryIterator.empty();
                 EntryIterator b2 = sameBase ? env.manifests().open(set) : EntryIterator.empty();
                 EntryIterator s = changesOnly ? EntryIterator.empty() : EntryFile.open(srcScan);
                 EntryIterator t = changesOnly ? EntryIterator.empty() : peerScan(dstScan)) {
                baseForManifest = b2;
                manifestDiffers = !sameBase || base.lost();
                if (changesOnly) {
                    manifestMerge = new ChangeMerge(b, manifest::add);
                    summary = planChanges(options);
                } else {
                    summary = Reconciler.plan(b, s, t, options, this::execute);
                }
                send(Frames.FINISH, new byte[0]);
                drain(true);
                tExecuted = System.nanoTime();
                byte[] fin = await(finished, "finish");
                tFinished = System.nanoTime();
                String finProblem = new DataInputStream(new java.io.ByteArrayInputStream(fin)).readUTF();
                if (firstFailure == null && !finProblem.isEmpty()) {
                    firstFailure = "the peer could not force its directories to disk: " + finProblem;
                }
                if (changesOnly) {
                    manifestMerge.finish(); // every path not planned is in sync: as the last common sync has it
                } else if (baseForManifest.next() != null) {
                    manifestDiffers = true;
                }
            }
            if (firstFailure != null) {
                bye(false);
                manifest.close();
                return new PassResult(set, PassResult.Status.FAILED, firstFailure, filesMoved, bytesMoved, conflicts,
                        deleted, changed, env.now() - start);
            }
            if (manifestDiffers || manifest.count() != base.count()) {
                manifest.complete();
                sendManifest(newId, manifest.sealedFile(), sameBase && !base.lost() && !base.id().isEmpty() ? base.id() : null);
                manifest.publish();
            } else {
                manifest.close();
            }
            bye(unreadableFiles == 0 && changed == 0);
            long tEnd = System.nanoTime();
            log.info("Mirror pass of {}: scans {} ms (hashed {} bytes here; {} peer records{}), plan {} ms, operations {} ms, finish {} ms,"
                    + " manifest {} ms ({})", set, (tScanned - t0) / 1_000_000, src.hashedBytes(), peerRecords, peerRelative ? ", relative" : "",
                    (tPlanned - tScanned) / 1_000_000, (tExecuted - tPlanned) / 1_000_000, (tFinished - tExecuted) / 1_000_000,
                    (tEnd - tFinished) / 1_000_000, summary);
            if (unreadableFiles > 0) {
                // everything else went and is recorded; the set is not completely mirrored
                return new PassResult(set, PassResult.Status.FAILED, "could not read " + unreadableFiles
                        + " file(s) here, first " + firstUnreadable + " (the rest was mirrored; nothing was deleted after it)",
                        filesMoved, bytesMoved, conflicts, deleted, changed, env.now() - start);
            }
            String left = changed == 0 ? "" : changed + " path(s) changed during the pass and were left for the next one";
            return new PassResult(set, PassResult.Status.OK, left, filesMoved, bytesMoved, conflicts, deleted, changed,
                    env.now() - start);
        } finally {
            if (manifest != null) {
                manifest.close();
            }
            Files.deleteIfExists(srcScan);
            Files.deleteIfExists(dstScan);
        }
    }

    /** The local scan; its result counts the paths that differ from the last common sync. */
    private Scanner.Result scanLocal(Path file) {
        try (EntryIterator base = env.manifests().open(set); EntryFile.Writer w = new EntryFile.Writer(file, set);
             SumsStore sums = SumsStore.open(env.manifests().dir(), set)) {
            Scanner.Result r = Scanner.scan(root, Excludes.forSet(cfg), cfg.fullChecksum(), base, sums,
                    ownerDiffs, cfg.policy() == MirrorSetConfig.Policy.COPY, w::add);
            w.finish(false);
            sums.commit();
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Plans only the paths either scan found changed since the last common sync: every other path is
     * the same on both nodes as in that sync, so it is in sync and stays in the manifest as it is.
     * The plan then costs what changed, not what the set holds.
     */
    private Reconciler.Summary planChanges(Reconciler.Options options) throws IOException {
        java.util.TreeSet<String> paths = new java.util.TreeSet<>(PathOrder::compare);
        paths.addAll(ownerDiffs.byPath.keySet());
        paths.addAll(peerDiffs.byPath.keySet());
        java.util.List<FileEntry> b = new java.util.ArrayList<>();
        java.util.List<FileEntry> s = new java.util.ArrayList<>();
        java.util.List<FileEntry> t = new java.util.ArrayList<>();
        try (EntryIterator base = env.manifests().open(set)) {
            for (String path : paths) {
                FileEntry known = base.seek(path);
                addIfPresent(b, known);
                addIfPresent(s, ownerDiffs.at(path, known));
                addIfPresent(t, peerDiffs.at(path, known));
            }
        }
        return Reconciler.plan(EntryIterator.of(b), EntryIterator.of(s), EntryIterator.of(t), options, this::execute);
    }

    private static void addIfPresent(java.util.List<FileEntry> list, FileEntry e) {
        if (e != null) {
            list.add(e);
        }
    }

    /**
     * A side's differences from the last common sync (null: gone), kept up to the mass-delete floor:
     * only used when both sides together have no more.
     */
    private static final class FewDifferences implements Scanner.Differences {
        final Map<String, FileEntry> byPath = new HashMap<>();

        /** This side's entry at {@code path}: its difference if it has one, else the sync's {@code known}. */
        FileEntry at(String path, FileEntry known) {
            return byPath.containsKey(path) ? byPath.get(path) : known;
        }

        @Override
        public void changed(FileEntry scanned) {
            put(scanned.path(), scanned);
        }

        @Override
        public void gone(String path) {
            put(path, null);
        }

        private void put(String path, FileEntry e) {
            if (byPath.size() < Reconciler.MASS_DELETE_FLOOR) {
                byPath.put(path, e);
            }
        }
    }

    /**
     * Hashes the owner's new files (the scan left them unhashed) where the peer holds the same path,
     * so that the plan can tell identical files from conflicts; the others are hashed while they are
     * sent. Rewrites the local scan with those hashes. A file that cannot be read now is left out,
     * as the scan leaves out what it cannot read.
     *
     * @return how many could not be read (then nothing is deleted)
     */
    private long hashWhereThePeerHasThePath(Path srcScan, Path dstScan) throws IOException {
        Path filled = srcScan.resolveSibling(srcScan.getFileName() + ".hashed");
        long unreadable = 0;
        try (EntryFile.Reader s = EntryFile.open(srcScan); EntryIterator t = peerScan(dstScan);
             EntryFile.Writer w = new EntryFile.Writer(filled, set)) {
            for (FileEntry e = s.next(); e != null; e = s.next()) {
                if (e.isFile() && e.hash() == null && t.seek(e.path()) != null) {
                    Path p = located(e.path());
                    try {
                        if (p == null) {
                            throw new IOException("not a path in the set");
                        }
                        Hashing.FileHash h = Hashing.file(p, -1);
                        // a file that changed size since the scan stays unhashed: its send finds the change
                        e = h.size() == e.size() ? e.withHash(h.hash()) : e;
                    } catch (IOException ex) {
                        log.warn("Mirror set {}: cannot read {}: {}; nothing will be deleted", set, e.path(), ex.toString());
                        unreadable++;
                        ownerDiffs.byPath.remove(e.path());
                        continue;
                    }
                    if (ownerDiffs.byPath.containsKey(e.path())) {
                        ownerDiffs.byPath.put(e.path(), e);
                    }
                }
                w.add(e);
            }
            w.finish(false);
        }
        Files.move(filled, srcScan, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return unreadable;
    }

    /** The peer's scan: the common sync itself when the peer found no difference from it. */
    private EntryIterator peerScan(Path dstScan) throws IOException {
        return peerUnchanged ? env.manifests().open(set) : EntryFile.open(dstScan);
    }

    /**
     * Writes the peer's scan to {@code file}; sets {@link #peerUnchanged} instead of writing anything
     * when the scan was relative and the peer found no difference at all. A scan relative to the last common sync ({@link
     * Frames#SCAN_CHANGES}, only when {@code sharedBase}) is merged with this node's copy of that sync:
     * its entries stand for every path the peer left out.
     */
    private long receiveScan(Path file, boolean sharedBase) throws IOException {
        try (EntryFile.Writer w = new EntryFile.Writer(file, set);
             EntryIterator known = sharedBase ? env.manifests().open(set) : EntryIterator.empty()) {
            ChangeMerge merge = new ChangeMerge(known, w::add);
            Scanner.Differences whole = Scanner.Differences.into(w::add);
            boolean relative = false;
            boolean wholeScan = false;
            while (true) {
                Frames.Frame f = read();
                if (f.type() == Frames.SCAN_ENTRIES && !relative) {
                    wholeScan = true;
                    peerRecords += ChangeStream.read(f.in(), false, whole);
                } else if (f.type() == Frames.SCAN_CHANGES && sharedBase && !wholeScan) {
                    relative = true;
                    peerRecords += ChangeStream.read(f.in(), true, Scanner.Differences.both(merge, peerDiffs));
                } else if (f.type() == Frames.SCAN_END) {
                    DataInputStream p = f.in();
                    long errors = p.readLong();
                    String what = p.readUTF();
                    if (errors > 0) {
                        log.warn("Mirror set {}: the peer's scan had {} read error(s): {}; nothing will be deleted", set,
                                errors, what);
                    }
                    // the peer says which it sent; peers before relative scans say nothing
                    boolean peerRelative = p.available() > 0 && p.readBoolean();
                    if (peerRelative != relative && (wholeScan || !sharedBase || !peerRelative)) {
                        throw new IOException("the peer's scan is inconsistent (relative " + peerRelative + ")");
                    }
                    this.peerRelative = peerRelative;
                    if (peerRelative && !relative) {
                        peerUnchanged = true; // the plan reads the common sync instead (peerScan)
                    } else if (peerRelative) {
                        merge.finish(); // the rest of the common sync stands for paths the peer left out
                    }
                    w.finish(false);
                    return errors;
                } else if (f.type() == Frames.ERROR) {
                    throw new IOException("the peer failed: " + f.in().readUTF());
                } else {
                    throw new IOException("unexpected frame " + f.type() + " during the peer's scan");
                }
            }
        }
    }

    private Map<String, FileEntry> messages(Path srcScan) throws IOException {
        Map<String, FileEntry> m = new HashMap<>();
        try (EntryFile.Reader r = EntryFile.open(srcScan)) {
            for (FileEntry e = r.next(); e != null; e = r.next()) {
                String key = e.isFile() ? Maildir.key(e.path()) : null;
                if (key != null) {
                    m.put(key, e);
                }
            }
        }
        return m;
    }

    /**
     * Has the peer publish the new manifest before this node does. When both hold the old one
     * ({@code baseId}, null if not) and the peer can take them, only the differences travel and the
     * peer rebuilds the rest from its copy; otherwise, or when the peer's rebuilt copy does not match,
     * every entry is sent. This node's copy ({@code sealed}, complete) is forced while the peer works.
     */
    private void sendManifest(String id, Path sealed, String baseId) throws IOException {
        if (baseId != null && (peerCapabilities & Frames.CAN_MANIFEST_CHANGES) != 0) {
            send(Frames.MANIFEST_BEGIN, Frames.payload(o -> {
                o.writeUTF(id);
                o.writeUTF(baseId);
            }));
            ChangeStream changes = new ChangeStream((type, payload) -> Frames.write(out, type, payload), Frames.MANIFEST_CHANGES);
            long count;
            if (manifestMerge != null) {
                // only the planned paths can differ, and record() noted which do
                for (Map.Entry<String, FileEntry> c : manifestChanges) {
                    if (c.getValue() != null) {
                        changes.changed(c.getValue());
                    } else {
                        changes.gone(c.getKey());
                    }
                }
                count = manifest.count();
            } else {
                try (EntryIterator old = env.manifests().open(set); EntryFile.Reader now = EntryFile.open(sealed)) {
                    ChangeMerge.diff(old, now, changes);
                    count = now.count();
                }
            }
            changes.flush();
            int checksum = manifest.checksum();
            send(Frames.MANIFEST_END, Frames.payload(o -> {
                o.writeLong(count);
                o.writeInt(checksum);
            }));
            manifest.force(); // while the peer rebuilds and forces its copy
            byte[] ok = await(manifestOk, "manifest");
            if (ok.length == 1 && ok[0] == 1) {
                return;
            }
            log.warn("Mirror set {}: the peer could not rebuild the new manifest from the old one; sending it whole", set);
            sendWholeManifest(id, sealed);
            Frames.Frame answer = read(); // the answer reader stopped at the first MANIFEST_OK
            if (answer.type() != Frames.MANIFEST_OK) {
                throw new IOException("unexpected answer " + answer.type() + " to the manifest");
            }
            return;
        }
        sendWholeManifest(id, sealed);
        manifest.force();
        await(manifestOk, "manifest");
    }

    private void sendWholeManifest(String id, Path sealed) throws IOException {
        send(Frames.MANIFEST_BEGIN, Frames.payload(o -> o.writeUTF(id)));
        try (EntryFile.Reader r = EntryFile.open(sealed)) {
            ChangeStream whole = new ChangeStream((type, payload) -> Frames.write(out, type, payload), Frames.MANIFEST_ENTRIES);
            for (FileEntry e = r.next(); e != null; e = r.next()) {
                whole.changed(e);
            }
            whole.flush();
        }
        send(Frames.MANIFEST_END, new byte[0]);
    }

    // ------------------------------------------------------------------ executing the plan

    private void execute(Action a, FileEntry base) throws IOException {
        if (broken != null) {
            throw new IOException(broken);
        }
        Pending p = new Pending(a, base);
        synchronized (this) {
            order.add(p);
        }
        if (movedDir != null && !a.path().startsWith(movedDir)) {
            movedDir = null; // paths order a directory's whole subtree right after it
        }
        if (firstFailure != null) {
            p.status = Receiver.Status.FAILED; // after a failure nothing more is sent; the manifest is not written
            p.message = "not attempted";
        } else if (movedDir != null) {
            // the peer moves the whole directory aside with the owner's entry; its old paths are not touched
            p.status = Receiver.Status.OK;
            p.underMovedDir = true;
        } else if (unreadableFiles > 0 && a instanceof Action.Delete) {
            // a pass that hit a read error deletes nothing more (the source may be failing)
            localChange(p, "not deleted: this pass could not read a file here");
        } else if (a instanceof Action.InSync || a instanceof Action.Keep || a instanceof Action.Skip) {
            p.status = Receiver.Status.OK;
            if (a instanceof Action.Skip sk) {
                log.warn("Mirror set {}: {} {}", set, sk.path(), sk.reason());
            }
            if (a instanceof Action.Keep k && k.conflict()) {
                conflicts++;
                env.emit(new MirrorEvent.ConflictDetected(env.now(), set, group, k.path(), k.reason()));
            }
        } else {
            if (a instanceof Action.Replace r && r.target().isDir() && !r.source().isDir()) {
                movedDir = a.path() + "/";
            }
            sendOp(p);
        }
        drain(false);
    }

    private void sendOp(Pending p) throws IOException {
        Action a = p.action;
        if (a instanceof Action.Create c) {
            FileEntry s = c.source();
            if (s.isDir()) {
                op(p, Frames.OP_MKDIR, o -> {
                    Frames.writeEntry(o, s);
                    Frames.writeEntry(o, null);
                    o.writeByte(Action.Displace.TRASH.ordinal());
                });
            } else if (s.type() == EntryType.SYMLINK) {
                op(p, Frames.OP_SYMLINK, o -> {
                    Frames.writeEntry(o, s);
                    Frames.writeEntry(o, null);
                    o.writeByte(Action.Displace.TRASH.ordinal());
                });
            } else {
                sendFile(p, s, null, Action.Transfer.FULL, Action.Displace.TRASH);
            }
        } else if (a instanceof Action.Replace r) {
            FileEntry s = r.source();
            if (s.isDir()) {
                op(p, Frames.OP_MKDIR, o -> {
                    Frames.writeEntry(o, s);
                    Frames.writeEntry(o, r.target());
                    o.writeByte(r.displace().ordinal());
                });
            } else if (s.type() == EntryType.SYMLINK) {
                op(p, Frames.OP_SYMLINK, o -> {
                    Frames.writeEntry(o, s);
                    Frames.writeEntry(o, r.target());
                    o.writeByte(r.displace().ordinal());
                });
            } else {
                Action.Transfer tr = r.target().isFile() ? r.transfer() : Action.Transfer.FULL;
                sendFile(p, s, r.target(), tr, r.displace());
            }
        } else if (a instanceof Action.SetMeta m) {
            op(p, Frames.OP_META, o -> {
                Frames.writeEntry(o, m.source());
                Frames.writeEntry(o, m.target());
            });
        } else if (a instanceof Action.Delete d) {
            op(p, Frames.OP_DELETE, o -> Frames.writeEntry(o, d.target()));
        } else if (a instanceof Action.MergeMbox m) {
            sendMbox(p, m);
        } else {
            throw new IllegalStateException("no operation for " + a);
        }
    }

    /** Sends a one-frame operation and waits for room in the pipeline. */
    private void op(Pending p, int type, Frames.Body body) throws IOException {
        synchronized (this) {
            awaiting.add(p);
        }
        Frames.write(out, type, Frames.payload(body));
    }

    private boolean sourceChanged(Path file, FileEntry s) throws IOException {
        return !FileStat.unchanged(FileStat.stat(file, s.path()), s);
    }

    /**
     * A file of the set to read now, or null where it is no longer there as scanned: a directory on
     * its way is missing, or was swapped for a symlink since the scan (then it is left for the next
     * pass, which sees the link, instead of failing this one).
     */
    private Path located(String rel) throws IOException {
        AtPath at = locatedAt(rel);
        return at == null ? null : at.path();
    }

    /** {@link #located} with its directory's descriptor, valid while the resolver holds that directory. */
    private AtPath locatedAt(String rel) throws IOException {
        try {
            return resolver.locate(rel);
        } catch (PathGuard.RefusedPath e) {
            log.info("Mirror set {}: {} is left for the next pass: {}", set, rel, e.getMessage());
            return null;
        }
    }

    private void localChange(Pending p, String why) {
        p.status = Receiver.Status.CHANGED;
        p.message = why;
    }

    private void sendFile(Pending p, FileEntry s, FileEntry t, Action.Transfer tr, Action.Displace dp) throws IOException {
        AtPath at = locatedAt(s.path());
        if (at != null && tr != Action.Transfer.DELTA && cfg.policy() != MirrorSetConfig.Policy.MBOX && FdFiles.available()) {
            Runnable release = resolver.hold();
            try {
                if (sendByDescriptor(p, s, t, tr, dp, at)) {
                    return;
                }
            } finally {
                release.run();
            }
        }
        Path file = at == null ? null : at.path();
        if (file == null || sourceChanged(file, s)) {
            localChange(p, "changed here since the scan");
            return;
        }
        MboxLock lock = null;
        FileChannel ch = null;
        try {
            if (cfg.policy() == MirrorSetConfig.Policy.MBOX) {
                try {
                    lock = MboxLock.acquire(file, env.lockTimeoutMs());
                } catch (IOException e) {
                    localChange(p, e.getMessage());
                    return;
                }
            }
            byte[][] sig = null;
            int bs = 0;
            if (tr == Action.Transfer.DELTA) {
                signature = new CompletableFuture<>();
                Frames.write(out, Frames.SIG_REQUEST, Frames.payload(o -> Frames.writeEntry(o, t)));
                out.flush();
                DataInputStream sp = new DataInputStream(new java.io.ByteArrayInputStream(await(signature, "signature")));
                if (sp.readBoolean()) {
                    bs = sp.readInt();
                    int n = sp.readInt();
                    sig = new byte[n][16];
                    for (int i = 0; i < n; i++) {
                        sp.readFully(sig[i]);
                    }
                } else {
                    tr = Action.Transfer.FULL;
                }
            }
            Action.Transfer transfer = tr;
            int blockSize = bs;
            Map<String, byte[]> xattrs = Meta.readXattrs(file);
            // opened before the file is announced: a file this node cannot read fails alone, not the stream
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                localChange(p, "gone here since the scan");
                return;
            } catch (IOException e) {
                if (Files.isSymbolicLink(file)) {
                    localChange(p, "replaced by a symlink here since the scan");
                    return;
                }
                unreadable(p, e);
                return;
            }
            announce(p, s, t, transfer, dp, blockSize, xattrs);
            ContentHash d = new ContentHash();
            try (FileChannel c = ch) {
                if (transfer == Action.Transfer.DELTA) {
                    sendDelta(c, sig, blockSize, d);
                } else {
                    long from = transfer == Action.Transfer.APPEND ? t.size() : 0;
                    sendRange(c::read, from, s.size(), d);
                }
            }
            end(p, sourceChanged(file, s), d);
        } finally {
            if (ch != null) {
                ch.close();
            }
            if (lock != null) {
                lock.close();
            }
        }
    }

    /**
     * {@link #sendFile} of a whole file or an appended tail through the file's descriptor: one
     * {@code openat} in its held directory, and {@code statx} of the open file before and after, where
     * the JDK's way looked its path up three times (a statx per lookup was the sender's largest
     * system cost). False where the file cannot be opened for another reason than being gone or a
     * symlink now: the JDK's way then reports why, as before.
     */
    private boolean sendByDescriptor(Pending p, FileEntry s, FileEntry t, Action.Transfer transfer, Action.Displace dp,
                                     AtPath at) throws IOException {
        int fd = FdFiles.openRead(at);
        if (fd == -LibC.ENOENT || fd == -LibC.ELOOP) {
            localChange(p, "changed here since the scan");
            return true;
        }
        if (fd < 0) {
            return false;
        }
        try {
            // the open file, not a name: what is read below is what this looked at
            if (!FileStat.unchanged(FdFiles.stat(fd, s.path(), at), s)) {
                localChange(p, "changed here since the scan");
                return true;
            }
            Map<String, byte[]> xattrs = FdFiles.mayHaveUserXattrs(fd) ? Meta.readXattrs(at.path()) : Map.of();
            announce(p, s, t, transfer, dp, 0, xattrs);
            ContentHash d = new ContentHash();
            if (readBuffer == null) {
                readBuffer = ByteBuffer.allocateDirect(CHUNK);
            }
            ByteBuffer direct = readBuffer;
            sendRange((buf, pos) -> {
                int n = FdFiles.pread(fd, direct, buf.remaining(), pos, at);
                if (n > 0) {
                    direct.get(0, buf.array(), buf.position(), n);
                    buf.position(buf.position() + n);
                }
                return n;
            }, transfer == Action.Transfer.APPEND ? t.size() : 0, s.size(), d);
            end(p, !FileStat.unchanged(FdFiles.stat(fd, s.path(), at), s), d);
            return true;
        } finally {
            FdFiles.closeQuietly(fd);
        }
    }

    /** Where {@link #sendByDescriptor} reads into, one per session (C memory: the call writes there). */
    private ByteBuffer readBuffer;

    /** Announces a file transfer: the entries, how it moves, and its user extended attributes. */
    private void announce(Pending p, FileEntry s, FileEntry t, Action.Transfer transfer, Action.Displace dp, int blockSize,
                          Map<String, byte[]> xattrs) throws IOException {
        op(p, Frames.OP_FILE, o -> {
            Frames.writeEntry(o, s);
            Frames.writeEntry(o, t);
            o.writeByte(transfer.ordinal());
            o.writeByte(dp.ordinal());
            o.writeInt(blockSize);
            o.writeInt(xattrs.size());
            for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
                o.writeUTF(x.getKey());
                o.writeInt(x.getValue().length);
                o.write(x.getValue());
            }
        });
    }

    /** Ends a file transfer: ABORT if the file changed while it was read, else END with the hash of what was sent. */
    private void end(Pending p, boolean changed, ContentHash d) throws IOException {
        if (changed) {
            Frames.write(out, Frames.ABORT, new byte[0]);
        } else {
            p.sentHash = d.hex();
            Frames.write(out, Frames.END, Frames.payload(o -> o.writeUTF(p.sentHash)));
        }
    }

    /** Reads into a buffer at a position, as {@link FileChannel#read(ByteBuffer, long)}. */
    @FunctionalInterface
    private interface PositionalRead {
        int read(ByteBuffer buf, long position) throws IOException;
    }

    private void unreadable(Pending p, IOException e) {
        p.status = Receiver.Status.FAILED;
        p.unreadable = true;
        p.message = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
        unreadableFiles++;
        if (firstUnreadable == null) {
            firstUnreadable = p.action.path() + ": " + p.message;
        }
    }

    /** The read buffer of {@link #sendRange}, one per session: a new one per file was zeroed each time. */
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);

    private void sendRange(PositionalRead file, long from, long to, ContentHash d) throws IOException {
        ByteBuffer buf = chunk;
        long pos = from;
        while (pos < to) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, to - pos));
            int n = file.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
            d.update(buf.array(), 0, n);
            Frames.write(out, Frames.DATA, buf.array(), 0, n); // out copies it before the next read
            bytesMoved += n;
        }
    }

    private void sendDelta(FileChannel ch, byte[][] sig, int bs, ContentHash d) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(bs);
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream fo = new java.io.DataOutputStream(frame);
        for (int index = 0; ; index++) {
            buf.clear();
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill the block
            }
            if (buf.position() == 0) {
                break;
            }
            int n = buf.position();
            d.update(buf.array(), 0, n);
            ContentHash bd = new ContentHash();
            bd.update(buf.array(), 0, n);
            byte[] h = bd.digest();
            if (index < sig.length && Arrays.equals(h, sig[index])) {
                fo.writeByte(1);
                fo.writeInt(index);
            } else {
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    if (frame.size() + len + 5 > Frames.MAX_PAYLOAD) {
                        fo.flush();
                        Frames.write(out, Frames.DATA, frame.toByteArray());
                        frame.reset();
                    }
                    fo.writeByte(2);
                    fo.writeInt(len);
                    fo.write(buf.array(), off, len);
                    bytesMoved += len;
                }
            }
            if (frame.size() > CHUNK) {
                fo.flush();
                Frames.write(out, Frames.DATA, frame.toByteArray());
                frame.reset();
            }
        }
        fo.flush();
        if (frame.size() > 0) {
            Frames.write(out, Frames.DATA, frame.toByteArray());
        }
    }

    private void sendMbox(Pending p, Action.MergeMbox m) throws IOException {
        FileEntry s = m.source();
        Path file = located(s.path());
        if (file == null || sourceChanged(file, s)) {
            localChange(p, "changed here since the scan");
            return;
        }
        try (MboxLock lock = MboxLock.acquire(file, env.lockTimeoutMs())) {
            op(p, Frames.OP_MBOX, o -> {
                Frames.writeEntry(o, m.base());
                Frames.writeEntry(o, s);
                Frames.writeEntry(o, m.target());
                o.writeBoolean(m.appendOnly());
            });
            ContentHash d = new ContentHash();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                sendRange(ch::read, m.appendOnly() ? m.base().size() : 0, s.size(), d);
            }
            end(p, sourceChanged(file, s), d);
        } catch (IOException e) {
            if (broken != null) {
                throw e;
            }
            synchronized (this) {
                if (!awaiting.contains(p)) {
                    localChange(p, e.getMessage());
                    return;
                }
            }
            throw e;
        }
    }

    /** Records finished actions in order; waits for room in the pipeline, or for everything at the end. */
    /**
     * Records the answered actions at the head of the order; waits for answers when {@code all} or
     * when more than {@value #MAX_IN_FLIGHT} operations are unanswered. Operations are flushed to the
     * peer before any wait and otherwise at most every {@value #FLUSH_EVERY_MS} ms: a flush per
     * operation cost a TLS record and a write (and the peer a read) for each small file.
     */
    private void drain(boolean all) throws IOException {
        if (all || System.nanoTime() - lastFlush > TimeUnit.MILLISECONDS.toNanos(FLUSH_EVERY_MS)) {
            flush();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(env.timeoutMs());
        while (true) {
            Pending answered = null;
            synchronized (this) {
                Pending head = order.peek();
                if (head == null) {
                    return;
                }
                if (head.status != null) {
                    answered = order.poll();
                } else {
                    if (broken != null) {
                        throw new IOException(broken);
                    }
                    if (!all && awaiting.size() <= MAX_IN_FLIGHT) {
                        return;
                    }
                    if (flushedSinceWrite()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new IOException("the peer did not answer within " + env.timeoutMs() + " ms");
                        }
                        try {
                            wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                        continue;
                    }
                }
            }
            if (answered == null) {
                flush(); // before waiting, outside the lock: a blocked write must not stall the answer reader
                continue;
            }
            record(answered);
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(env.timeoutMs());
        }
    }

    static final int FLUSH_EVERY_MS = 2;
    private long lastFlush;

    private void flush() throws IOException {
        out.flush();
        lastFlush = System.nanoTime();
    }

    private boolean flushedSinceWrite() {
        return !out.dirty();
    }

    private void record(Pending p) throws IOException {
        Action a = p.action;
        FileEntry newBase;
        if (p.underMovedDir) {
            newBase = p.base; // as it was: the next pass finds the path gone on both nodes
        } else if (p.status == Receiver.Status.OK) {
            if (a instanceof Action.Delete) {
                newBase = null;
                deleted++;
            } else if (a instanceof Action.Keep k) {
                newBase = k.newBase();
            } else if (a instanceof Action.Skip) {
                newBase = null;
            } else if (a instanceof Action.InSync i) {
                newBase = i.source();
            } else {
                newBase = sourceOf(a);
                if (newBase.isFile() && newBase.hash() == null && p.sentHash != null) {
                    newBase = newBase.withHash(p.sentHash); // a new file, hashed as it was sent
                }
                if (!(a instanceof Action.SetMeta) && !sourceOf(a).isDir()) {
                    filesMoved++;
                }
                if (p.conflictCopy != null && !p.conflictCopy.isEmpty() || a instanceof Action.MergeMbox) {
                    conflicts++;
                }
            }
        } else {
            newBase = p.base;
            if (p.unreadable) {
                log.warn("Mirror set {}: cannot read {}: {}", set, a.path(), p.message);
            } else if (p.status == Receiver.Status.CHANGED) {
                changed++;
                log.info("Mirror set {}: {} left for the next pass: {}", set, a.path(), p.message);
            } else if (firstFailure == null) {
                firstFailure = a.path() + ": " + p.message;
            }
        }
        if (manifestMerge != null) {
            if (newBase != null) {
                manifestMerge.changed(newBase);
            } else {
                manifestMerge.gone(a.path());
            }
        } else if (newBase != null) {
            manifest.add(newBase);
        }
        if (!manifestDiffers || manifestMerge != null) {
            FileEntry old = manifestEntry(baseForManifest.seek(a.path()));
            FileEntry now = manifestEntry(newBase);
            if (!java.util.Objects.equals(old, now)) {
                manifestDiffers = true;
                if (manifestMerge != null) {
                    manifestChanges.add(new java.util.AbstractMap.SimpleImmutableEntry<>(a.path(), now));
                }
            }
        }
    }

    private static FileEntry manifestEntry(FileEntry e) {
        return e == null ? null : e.forManifest();
    }

    /** What the manifest would record for an action that sends nothing; a marker entry for the others. */
    private static FileEntry unchangedBase(Action a) {
        if (a instanceof Action.InSync i) {
            return i.source();
        }
        if (a instanceof Action.Keep k) {
            return k.newBase();
        }
        return FileEntry.dir("\0changes", 0);
    }

    private static FileEntry sourceOf(Action a) {
        if (a instanceof Action.Create c) {
            return c.source();
        }
        if (a instanceof Action.Replace r) {
            return r.source();
        }
        if (a instanceof Action.SetMeta m) {
            return m.source();
        }
        if (a instanceof Action.MergeMbox m) {
            return m.source();
        }
        throw new IllegalStateException(a.toString());
    }

    // ------------------------------------------------------------------ the answer reader

    private void readAnswers() {
        try {
            while (true) {
                Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
                if (f == null) {
                    fail("the peer closed the connection");
                    return;
                }
                switch (f.type()) {
                    case Frames.RESULT -> {
                        DataInputStream p = f.in();
                        Receiver.Status st = Receiver.Status.values()[p.readUnsignedByte() % 3];
                        String msg = p.readUTF();
                        String copy = p.readUTF();
                        synchronized (this) {
                            Pending pending = awaiting.poll();
                            if (pending == null) {
                                throw new IOException("an answer nobody asked for");
                            }
                            pending.message = msg;
                            pending.conflictCopy = copy;
                            pending.status = st;
                            notifyAll();
                        }
                    }
                    case Frames.SIGNATURE -> signature.complete(f.payload());
                    case Frames.FINISHED -> finished.complete(f.payload());
                    case Frames.MANIFEST_OK -> {
                        manifestOk.complete(f.payload());
                        return;
                    }
                    case Frames.ERROR -> {
                        fail("the peer failed: " + f.in().readUTF());
                        return;
                    }
                    default -> throw new IOException("unexpected frame " + f.type() + " from the peer");
                }
            }
        } catch (IOException e) {
            fail("connection to the peer lost: " + e.getMessage());
        }
    }

    private void fail(String why) {
        synchronized (this) {
            if (broken == null && !manifestOk.isDone()) {
                broken = why;
            }
            notifyAll();
        }
        IOException e = new IOException(why);
        CompletableFuture<byte[]> sig = signature;
        if (sig != null) {
            sig.completeExceptionally(e);
        }
        finished.completeExceptionally(e);
        manifestOk.completeExceptionally(e);
    }

    private byte[] await(CompletableFuture<byte[]> f, String what) throws IOException {
        out.flush();
        try {
            return f.get(env.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the peer did not answer (" + what + ") within " + env.timeoutMs() + " ms", e);
        }
    }

    /**
     * Ends the session and waits (a few seconds at most) until the peer has closed it: it releases the
     * set's lock before it closes, so a pass or resync that follows finds the set free there.
     */
    /** {@code complete}: the pass left nothing out, so the peer's copy is the owner's data as of the pass. */
    private void bye(boolean complete) throws IOException {
        send(Frames.BYE, new byte[] {(byte) (complete ? 1 : 0)});
        try {
            if (reader != null && reader.isAlive()) {
                reader.join(BYE_WAIT_MS); // it reads on until the peer closes
                return;
            }
            socket.setSoTimeout(BYE_WAIT_MS);
            while (Frames.read(in, Frames.MAX_PAYLOAD) != null) {
                // nothing more is expected; read to the end
            }
        } catch (IOException e) {
            log.debug("Mirror set {}: end of session: {}", set, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final int BYE_WAIT_MS = 5_000;

    private void send(int type, byte[] payload) throws IOException {
        Frames.write(out, type, payload);
        out.flush();
    }

    private Frames.Frame read() throws IOException {
        Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
        if (f == null) {
            throw new IOException("the peer closed the connection");
        }
        return f;
    }
}
