package org.clusterd.mirror;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.clusterd.config.MirrorSetConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer's side of one mirror session: checks who is sending what, scans its copy of the set and
 * streams the scan back, then carries out the owner's operations one by one. Every path is checked
 * to stay inside the set; every file lands through a temporary file, a sync ({@link MirrorSync}, or an fsync of its own) and an atomic rename
 * (appends: in place, undone from a journal after a crash); the replaced version goes to the trash
 * or beside the file as a conflict copy. Before touching a path it checks that the path is still as
 * its scan saw it; if not it answers CHANGED and leaves it.
 */
final class Receiver {
    private static final Logger log = LoggerFactory.getLogger(Receiver.class);
    static final int PROTOCOL = 1;

    enum Status { OK, CHANGED, FAILED }

    private final MirrorEngine env;
    private final Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private String set;
    private String group;
    private MirrorSetConfig cfg;
    private Path root;
    /** Resolves the paths of file and directory operations; see {@link PathGuard.Resolver}. */
    private PathGuard.Resolver resolver;
    private AppendJournal appendJournal;
    /** When this session was accepted: the owner's data it brings is at least as old. */
    private long sessionStart;
    private Path pass;
    /** Whether the scan goes back relative to the last common sync (see {@link Frames#SCAN_CHANGES}). */
    private boolean relative;
    private final Set<Path> dirtyDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<FileEntry> deferredRmdirs = new ArrayList<>();
    private ManifestStore.Pending manifest;
    /** Set while the new manifest arrives as changes ({@link Frames#MANIFEST_CHANGES}). */
    private ManifestChanges manifestChanges;
    private final java.util.concurrent.atomic.AtomicLong conflicts = new java.util.concurrent.atomic.AtomicLong();
    /** Answers in the order of the operations; a thread sends each when it is ready. */
    private final java.util.concurrent.LinkedBlockingQueue<java.util.concurrent.Future<Result>> answers =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private static final java.util.concurrent.Future<Result> STOP = java.util.concurrent.CompletableFuture.completedFuture(null);
    private long submitted;
    private long answered;
    private Thread answerThread;
    /** Forces, renames and metadata of landed files run here, so fsyncs overlap. */
    private java.util.concurrent.ExecutorService finalizers;
    /** Writes large files' data behind the thread that reads the connection. */
    private WriteBehind writeBehind;
    /** Where each large file's data waits for its direct write; one file at a time has it (see {@link #file}). */
    private ByteBuffer directBuffer;
    /**
     * Files forced at once. Each fsync waits for the disk; many at once let the file system and the
     * device batch them: 50,000 new files took 0.82 ms each one at a time, 0.55-0.6 with 8-16 at once,
     * no better with more (ext4 without a journal, virtual disk).
     */
    static final int FINALIZERS = 16;
    /** Group commit of landed files, or null: each file is forced by itself. */
    private MirrorSync sync;
    private final TempNames tempNames = new TempNames();
    /** Where small files are created before they land (set with the root). */
    private LandingDirs landing;

    Receiver(MirrorEngine env, Socket socket) {
        this.env = env;
        this.socket = socket;
    }

    void run() {
        String remote = String.valueOf(socket.getRemoteSocketAddress());
        ReentrantLock lock = null;
        boolean completed = false;
        try {
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            lock = hello(remote);
            if (lock == null) {
                return;
            }
            env.counters().sessionsAccepted.incrementAndGet();
            socket.setSoTimeout(MirrorEngine.READ_TIMEOUT_MS);
            streamScan();
            sync = MirrorSync.open(root);
            landing = new LandingDirs(root, tempNames, resolver);
            writeBehind = new WriteBehind(set);
            finalizers = java.util.concurrent.Executors.newFixedThreadPool(FINALIZERS, r -> {
                Thread t = new Thread(r, "mirror-land-" + set);
                t.setDaemon(true);
                return t;
            });
            answerThread = new Thread(this::sendAnswers, "mirror-answer-" + set);
            answerThread.setDaemon(true);
            answerThread.start();
            operations();
            completed = true;
        } catch (Frames.BadFrame e) {
            env.counters().badFrames.incrementAndGet();
            refuse(remote, e.getMessage());
        } catch (PathGuard.RefusedPath e) {
            env.counters().badPaths.incrementAndGet();
            refuse(remote, e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.warn("Mirror session from {} for set {} ended: {}", remote, set, e.toString());
        } finally {
            if (answerThread != null) {
                answers.add(STOP);
                try {
                    answerThread.join(env.timeoutMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (writeBehind != null) {
                writeBehind.close();
            }
            boolean landed = true;
            if (finalizers != null) {
                finalizers.shutdown();
                try {
                    landed = finalizers.awaitTermination(env.timeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    landed = false;
                }
            }
            if (sync != null && landed) {
                sync.close();
            }
            if (landing != null && landed) {
                landing.close();
            }
            if (resolver != null) {
                resolver.close(); // a directory a landing still works in stays open until it is done
            }
            if (lock != null && landed) {
                // a file still being landed keeps the flag raised: the next session sweeps instead
                InterruptedSessions.end(env.manifests().dir(), set, root, completed);
            }
            try {
                closeManifest();
            } catch (IOException e) {
                log.debug("closing manifest", e);
            }
            if (lock != null) {
                lock.unlock();
            }
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("close", e);
            }
        }
    }

    private void refuse(String remote, String reason) {
        log.warn("Refused mirror peer {}: {}", remote, reason);
        env.emit(new MirrorEvent.PeerRefused(env.now(), remote, reason));
        try {
            send(Frames.ERROR, Frames.payload(o -> o.writeUTF(reason)));
        } catch (IOException | RuntimeException e) {
            log.debug("could not tell the peer", e);
        }
    }

    private void send(int type, byte[] payload) throws IOException {
        send(type, payload, true);
    }

    /** Writes a frame; {@code flush} false leaves it buffered for the frame that follows at once. */
    private void send(int type, byte[] payload, boolean flush) throws IOException {
        synchronized (answers) {
            Frames.write(out, type, payload);
            if (flush) {
                out.flush();
            }
        }
    }

    private Frames.Frame read() throws IOException {
        Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
        if (f == null) {
            throw new java.io.EOFException("peer closed the connection");
        }
        return f;
    }

    // ------------------------------------------------------------------ hello and scan

    private ReentrantLock hello(String remote) throws IOException {
        Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
        if (f == null) {
            return null;
        }
        if (f.type() != Frames.HELLO) {
            throw new Frames.BadFrame("expected HELLO, got frame type " + f.type());
        }
        DataInputStream p = f.in();
        int version = p.readInt();
        String cluster = p.readUTF();
        String node = p.readUTF();
        set = p.readUTF();
        group = p.readUTF();
        // an owner that sends the id of its last common sync gets a scan relative to it when it is ours
        // too; older owners do not send it and get the whole scan
        String ownerBase = p.available() > 0 ? p.readUTF() : "";
        String problem = null;
        if (version != PROTOCOL) {
            problem = "protocol version " + version + " is not supported (this node speaks " + PROTOCOL + ")";
        } else if (!cluster.equals(env.cluster())) {
            problem = "cluster '" + cluster + "' is not this node's cluster";
        } else if (!node.equals(env.peerNode())) {
            problem = "node '" + node + "' is not this node's peer";
        } else if (env.set(set) == null || !group.equals(env.groupOf(set))) {
            problem = "no mirror set '" + set + "' in group '" + group + "' here";
        } else if (!env.guard().mayReceive(group)) {
            problem = "this node runs group " + group + " itself: it refuses data for it";
        }
        if (problem != null) {
            env.counters().sessionsRefused.incrementAndGet();
            log.warn("Refusing mirror session from {} ({}): {}", remote, node, problem);
            String why = problem;
            send(Frames.ERROR, Frames.payload(o -> o.writeUTF("refused: " + why)));
            return null;
        }
        ReentrantLock lock = env.lock(set);
        if (!lock.tryLock()) {
            env.counters().sessionsRefused.incrementAndGet();
            send(Frames.ERROR, Frames.payload(o -> o.writeUTF("busy: set " + set + " is being mirrored already")));
            return null;
        }
        try {
            cfg = env.set(set);
            root = cfg.path();
            resolver = new PathGuard.Resolver(root);
            Files.createDirectories(root);
            appendJournal = new AppendJournal(env.manifests().dir(), set, root);
            appendJournal.recover();
            ManifestStore.Loaded base = env.manifests().load(set);
            Path marker = root.resolve(Excludes.MARKER);
            if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                if (base.count() > 0) {
                    String why = "the set's directory " + root + " has no marker " + Excludes.MARKER
                            + " although it was mirrored before: is its file system unmounted?";
                    send(Frames.ERROR, Frames.payload(o -> o.writeUTF(why)));
                    lock.unlock();
                    return null;
                }
                writeMarker(marker);
            }
            InterruptedSessions.begin(env.manifests().dir(), set, root);
            sessionStart = env.now();
            relative = !base.id().isEmpty() && base.id().equals(ownerBase) && !base.lost();
            pass = env.trash().passDir(set, Instant.ofEpochMilli(env.now()));
            send(Frames.HELLO_OK, Frames.payload(o -> {
                o.writeUTF(base.id());
                o.writeBoolean(Meta.ROOT);
                o.writeUTF(env.localNode());
                o.writeInt(Frames.CAN_MANIFEST_CHANGES);
            }));
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    private void writeMarker(Path marker) throws IOException {
        Path temp = marker.resolveSibling(Excludes.TEMP_PREFIX + "marker");
        Files.writeString(temp, set + "\n");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Durable.replace(temp, marker);
    }

    /**
     * Scans the set and streams the result. Relative to the last common sync when the owner holds the
     * same one: a path whose entry equals the sync's is left out (the owner has it), a path of the sync
     * the scan did not meet is sent as gone, so a pass with little changed sends little.
     */
    private void streamScan() throws IOException {
        ChangeStream stream = new ChangeStream((type, payload) -> send(type, payload, false),
                relative ? Frames.SCAN_CHANGES : Frames.SCAN_ENTRIES);
        Scanner.Result r;
        try (EntryIterator base = env.manifests().open(set); SumsStore sums = SumsStore.open(env.manifests().dir(), set)) {
            // relative: the scan itself tells the differences; whole: every entry goes as "changed"
            r = Scanner.scan(root, Excludes.forSet(cfg), cfg.fullChecksum(), base, sums, relative ? stream : null,
                    relative ? e -> { } : stream::changed);
            sums.commit();
        }
        stream.flush();
        send(Frames.SCAN_END, Frames.payload(o -> {
            o.writeLong(r.errorCount());
            o.writeUTF(String.join("; ", r.errors()));
            o.writeBoolean(relative);
        }));
    }

    // ------------------------------------------------------------------ operations

    private void operations() throws IOException {
        while (true) {
            Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
            if (f == null) {
                return;
            }
            DataInputStream p = f.in();
            if (f.type() != Frames.OP_FILE && f.type() != Frames.OP_MKDIR) {
                resolver.forget(); // the others may delete or replace a directory
            }
            switch (f.type()) {
                case Frames.OP_FILE -> {
                    FileEntry s = need(Frames.readEntry(p));
                    FileEntry t = Frames.readEntry(p);
                    Action.Transfer tr = Action.Transfer.values()[p.readUnsignedByte() % 3];
                    Action.Displace dp = Action.Displace.values()[p.readUnsignedByte() % 2];
                    int blockSize = p.readInt();
                    if (tr == Action.Transfer.DELTA && (t == null || blockSize != MirrorEngine.blockSize(t.size()))) {
                        throw new Frames.BadFrame("delta block size " + blockSize + " does not match the signature's");
                    }
                    Map<String, byte[]> xattrs = readXattrs(p);
                    later(file(s, t, tr, dp, blockSize, xattrs));
                }
                case Frames.SIG_REQUEST -> signature(need(Frames.readEntry(p)));
                case Frames.OP_MKDIR -> {
                    FileEntry s = need(Frames.readEntry(p));
                    result(mkdir(s, Frames.readEntry(p), Action.Displace.values()[p.readUnsignedByte() % 2]));
                }
                case Frames.OP_SYMLINK -> {
                    FileEntry s = need(Frames.readEntry(p));
                    result(symlink(s, Frames.readEntry(p), Action.Displace.values()[p.readUnsignedByte() % 2]));
                }
                case Frames.OP_META -> {
                    FileEntry s = need(Frames.readEntry(p));
                    result(meta(s, need(Frames.readEntry(p))));
                }
                case Frames.OP_DELETE -> result(delete(need(Frames.readEntry(p))));
                case Frames.OP_MBOX -> {
                    FileEntry b = Frames.readEntry(p);
                    FileEntry s = need(Frames.readEntry(p));
                    FileEntry t = need(Frames.readEntry(p));
                    result(mbox(b, s, t, p.readBoolean()));
                }
                case Frames.FINISH -> finish();
                case Frames.MANIFEST_BEGIN -> {
                    closeManifest();
                    manifest = env.manifests().begin(set, p.readUTF());
                    if (p.available() > 0) {
                        manifestChanges = new ManifestChanges(p.readUTF());
                    }
                }
                case Frames.MANIFEST_ENTRIES -> {
                    if (manifest == null || manifestChanges != null) {
                        throw new Frames.BadFrame("manifest entries without MANIFEST_BEGIN");
                    }
                    ChangeStream.read(p, false, Scanner.Differences.into(manifest::add));
                }
                case Frames.MANIFEST_CHANGES -> {
                    if (manifestChanges == null) {
                        throw new Frames.BadFrame("manifest changes without MANIFEST_BEGIN naming a base");
                    }
                    manifestChanges.read(p);
                }
                case Frames.MANIFEST_END -> {
                    if (manifest == null) {
                        throw new Frames.BadFrame("MANIFEST_END without MANIFEST_BEGIN");
                    }
                    if (manifestChanges == null) {
                        manifest.commit();
                        manifest = null;
                        env.counters().manifestsWhole.incrementAndGet();
                        send(Frames.MANIFEST_OK, new byte[0]);
                    } else {
                        boolean applied = manifestChanges.end(p.readLong(), p.readInt());
                        closeManifest();
                        send(Frames.MANIFEST_OK, new byte[] {(byte) (applied ? 1 : 0)});
                    }
                }
                case Frames.BYE -> {
                    if (f.payload().length > 0 && f.payload()[0] == 1) {
                        env.emit(new MirrorEvent.MirrorReceived(env.now(), set, group, sessionStart));
                    }
                    return;
                }
                default -> throw new Frames.BadFrame("unexpected frame type " + f.type() + " between operations");
            }
        }
    }

    /** Drops a new manifest that was not published, and what it was rebuilt from. */
    private void closeManifest() throws IOException {
        ManifestChanges c = manifestChanges;
        manifestChanges = null;
        if (c != null) {
            c.close();
        }
        if (manifest != null) {
            manifest.close();
            manifest = null;
        }
    }

    /**
     * The owner's new manifest arriving as changes to the one both nodes hold: this node rebuilds it
     * from its own copy and publishes it only if it comes out with the owner's entry count and
     * checksum. If its copy is not the one the owner named (or the result differs), the owner is
     * asked for the whole manifest instead.
     */
    private final class ManifestChanges {
        private final String baseId;
        private final EntryIterator base;
        private final ChangeMerge merge;

        ManifestChanges(String baseId) {
            this.baseId = baseId;
            this.base = env.manifests().openIf(set, baseId);
            this.merge = base == null ? null : new ChangeMerge(base, manifest::add);
        }

        void read(DataInputStream p) throws IOException {
            // without the named base the changes are read (and checked) but not applicable: the whole
            // manifest follows
            ChangeStream.read(p, true, merge != null ? merge : Scanner.IGNORE);
        }

        /** Completes, checks and publishes the rebuilt manifest; false if the owner must send it whole. */
        boolean end(long count, int checksum) throws IOException {
            String problem = merge == null ? "this node's last common sync is not " + baseId + " or is unreadable" : null;
            if (problem == null) {
                merge.finish();
                manifest.complete();
                if (manifest.count() != count || manifest.checksum() != checksum) {
                    problem = "the rebuilt manifest differs from the owner's (" + manifest.count() + " entries here, " + count
                            + " there, or another checksum)";
                }
            }
            if (problem != null) {
                log.warn("Mirror set {}: cannot apply the owner's manifest changes ({}); asking for the whole manifest", set,
                        problem);
                return false;
            }
            manifest.force();
            manifest.publish();
            env.counters().manifestsFromChanges.incrementAndGet();
            return true;
        }

        void close() throws IOException {
            if (base != null) {
                base.close();
            }
        }
    }

    private static FileEntry need(FileEntry e) throws Frames.BadFrame {
        if (e == null) {
            throw new Frames.BadFrame("operation without its entry");
        }
        return e;
    }

    private static Map<String, byte[]> readXattrs(DataInputStream p) throws IOException {
        int n = p.readInt();
        if (n < 0 || n > 1000) {
            throw new Frames.BadFrame("bad xattr count " + n);
        }
        Map<String, byte[]> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String name = p.readUTF();
            int len = p.readInt();
            if (len < 0 || len > Meta.MAX_XATTR_BYTES) {
                throw new Frames.BadFrame("bad xattr length " + len);
            }
            byte[] v = new byte[len];
            p.readFully(v);
            m.put(name, v);
        }
        return m;
    }

    private record Result(Status status, String message, String conflictCopy) {
        static Result ok() {
            return new Result(Status.OK, "", null);
        }

        static Result changed(String why) {
            return new Result(Status.CHANGED, why, null);
        }

        static Result failed(String why) {
            return new Result(Status.FAILED, why, null);
        }
    }

    private void result(Result r) {
        later(java.util.concurrent.CompletableFuture.completedFuture(r));
    }

    private void later(java.util.concurrent.Future<Result> f) {
        synchronized (this) {
            submitted++;
        }
        answers.add(f);
    }

    private void sendAnswers() {
        try {
            while (true) {
                java.util.concurrent.Future<Result> f = answers.take();
                if (f == STOP) {
                    return;
                }
                Result r;
                try {
                    r = f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    r = Result.failed(String.valueOf(e.getCause()));
                }
                Result x = r;
                byte[] payload = Frames.payload(o -> {
                    o.writeByte(x.status().ordinal());
                    o.writeUTF(x.message() == null ? "" : x.message());
                    o.writeUTF(x.conflictCopy() == null ? "" : x.conflictCopy());
                });
                // answers already decided go out together: one write for a run of small files
                java.util.concurrent.Future<Result> following = answers.peek();
                send(Frames.RESULT, payload, following == null || following == STOP || !following.isDone());
                synchronized (this) {
                    answered++;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("Mirror session of {}: cannot answer: {}", set, e.toString());
            synchronized (this) {
                answered = Long.MAX_VALUE;
                notifyAll();
            }
        }
    }

    /** Waits until every operation so far was answered. */
    private void awaitAnswers() throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(env.timeoutMs());
        synchronized (this) {
            while (answered < submitted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("operations did not complete in time");
                }
                try {
                    wait(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    private String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            m = fse.getReason() + " (" + fse.getFile() + ")";
        }
        return e.getClass().getSimpleName() + ": " + (resolver == null ? m : resolver.shown(m));
    }

    /** The directory of {@code rel} by its name (for syncs and file system checks, not for writing in it). */
    private Path dirOf(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? root : root.resolve(rel.substring(0, slash));
    }

    private Path temp(Path target) {
        return target.resolveSibling(tempNames.next());
    }

    /**
     * Where a small file is created: in this landing thread's own directory ({@link LandingDirs}) when
     * the session's sync covers the target's directory (so it is the same file system), else beside
     * the target.
     */
    private AtPath landingTemp(AtPath target, String rel) {
        if (sync != null && sync.covers(dirOf(rel))) {
            try {
                return landing.temp();
            } catch (IOException e) {
                log.debug("Landing {} beside its target: {}", target, e.toString());
            }
        }
        return target.sibling(tempNames.next());
    }

    private boolean unchanged(Path target, FileEntry expected) throws IOException {
        return FileStat.unchanged(FileStat.stat(target, expected == null ? "x" : expected.path()), expected);
    }

    /** A whole file up to this size is received into memory and written to disk on the landing pool. */
    static final int SMALL_FILE = 1 << 20;
    /** Bytes of small files received but not yet written, across a session. */
    static final int SMALL_FILES_IN_MEMORY = 64 << 20;
    private final java.util.concurrent.Semaphore smallFileBytes = new java.util.concurrent.Semaphore(SMALL_FILES_IN_MEMORY);

    /**
     * Receives a file; its directory stays held open until the file has landed, on whichever thread
     * that happens.
     */
    private java.util.concurrent.Future<Result> file(FileEntry s, FileEntry t, Action.Transfer tr, Action.Displace dp,
                                                     int blockSize, Map<String, byte[]> xattrs) throws IOException {
        AtPath target = resolver.locate(s.path());
        Runnable release = resolver.hold();
        if (t != null && t.isDir()) {
            resolver.forget(); // a directory here is about to be replaced by the file
        }
        java.util.concurrent.CompletableFuture<Result> f;
        try {
            f = file(target, s, t, tr, dp, blockSize, xattrs);
        } catch (IOException | RuntimeException e) {
            release.run();
            throw e;
        }
        return f.whenComplete((r, e) -> release.run());
    }

    private java.util.concurrent.CompletableFuture<Result> file(AtPath at, FileEntry s, FileEntry t, Action.Transfer tr,
                                                               Action.Displace dp, int blockSize, Map<String, byte[]> xattrs)
            throws IOException {
        Path target = at == null ? null : at.path();
        // A whole file is checked against the scan just before its rename ({@link #place}): a look now
        // would only spare receiving one that is then dropped, at an lstat per file. Deltas, appends
        // and mbox spools read or lock the target, so they look first.
        boolean lookFirst = tr != Action.Transfer.FULL || cfg.policy() == MirrorSetConfig.Policy.MBOX;
        boolean changed = target == null || lookFirst && !unchanged(target, t);
        if (!changed && tr == Action.Transfer.FULL && s.size() <= SMALL_FILE && cfg.policy() != MirrorSetConfig.Policy.MBOX
                && smallFileBytes.tryAcquire((int) s.size())) {
            return smallFile(at, s, t, dp, xattrs);
        }
        IOException problem = null;
        AtPath tempAt = null;
        Path temp = null;
        FileChannel ch = null;
        FileChannel old = null;
        DirectWrite direct = null;
        MboxLock lock = null;
        // a delta or a tail is hashed: what lands is built from this node's old bytes too; a whole
        // file is counted only (see Arrival)
        ContentHash d = tr == Action.Transfer.FULL ? null : new ContentHash();
        long[] written = {0}; // by the writer thread; read after it finished
        boolean appending = tr == Action.Transfer.APPEND && t != null && t.isFile();
        // set once the journal holds the old length: only then may a failure cut the file back to it
        boolean journaled = false;
        if (!changed) {
            try {
                if (cfg.policy() == MirrorSetConfig.Policy.MBOX) {
                    lock = MboxLock.acquire(target, env.lockTimeoutMs());
                    // the mail system may have delivered while this node waited for its locks
                    changed = !unchanged(target, t);
                }
                if (changed) {
                    log.debug("{} changed before its locks were taken", target);
                } else if (appending) {
                    appendJournal.begin(t);
                    journaled = true;
                    ch = FileChannel.open(target, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                    ch.position(t.size());
                } else {
                    tempAt = at.sibling(tempNames.next());
                    temp = tempAt.path();
                    ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    if (tr == Action.Transfer.DELTA && t != null && t.isFile()) {
                        old = FileChannel.open(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                    } else if (tr == Action.Transfer.FULL) {
                        if (directBuffer == null) {
                            directBuffer = DirectWrite.buffer();
                        }
                        direct = DirectWrite.open(temp, ch, directBuffer);
                    }
                }
            } catch (IOException e) {
                problem = e;
            }
        }
        ByteBuffer block = old != null ? ByteBuffer.allocate(Math.max(1, blockSize)) : null;
        EarlyFlush flush = appending || ch == null ? null : new EarlyFlush(ch);
        FileChannel out = ch;
        FileChannel base = old;
        DirectWrite straight = direct;
        Transfer received;
        // written behind this thread, which goes on reading the connection meanwhile
        WriteBehind.File behind = changed || problem != null ? null : writeBehind.open(payload -> {
            if (tr == Action.Transfer.FULL && written[0] + payload.length > s.size()) {
                // the owner never sends more (it reads up to the size it announced): not written
                throw new IOException("received more than the " + s.size() + " bytes announced");
            }
            if (tr == Action.Transfer.DELTA && base != null) {
                applyDelta(payload, base, block, blockSize, out, d);
            } else if (straight != null) {
                straight.write(payload);
            } else {
                writeHashed(out, payload, d);
            }
            written[0] += payload.length;
            if (flush != null) {
                flush.written(payload.length);
            }
        });
        IOException unwritten;
        try {
            received = transfer(behind == null ? payload -> { } : behind::accept);
            unwritten = behind == null ? null : behind.finish();
            if (straight != null && unwritten == null) {
                try {
                    straight.finish();
                } catch (IOException e) {
                    unwritten = e;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection failed mid-file: nothing half-written may stay, and no lock held
            if (behind != null) {
                behind.abandon();
            }
            if (straight != null) {
                straight.close();
            }
            closeQuietly(ch);
            closeQuietly(old);
            undo(journaled, t, target, temp);
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException x) {
                    e.addSuppressed(x);
                }
            }
            throw e;
        }
        if (problem == null) {
            problem = received.problem() != null ? received.problem() : unwritten;
        }
        boolean aborted = received.aborted();
        String hash = received.hash();
        boolean handedOff = false;
        try {
            if (changed) {
                return done(Result.changed("changed on this node since its scan"));
            }
            if (aborted) {
                undo(journaled, t, target, temp);
                return done(Result.changed("changed on the owner while it was sent"));
            }
            if (problem == null) {
                problem = Arrival.check(d, written[0], s.size(), hash);
            }
            if (problem == null && appending) {
                try {
                    ch.force(true);
                    ch.close();
                    Meta.apply(target, s);
                    appendJournal.clear();
                    return done(Result.ok());
                } catch (IOException e) {
                    problem = e;
                }
            }
            if (problem != null) {
                undo(journaled, t, target, temp);
                return done(Result.failed(reason(problem)));
            }
            LandingFile channelFile = new LandingFile.Channel(ch, tempAt);
            handedOff = true;
            if (lock != null) {
                return land(channelFile, at, s, t, dp, xattrs, false); // an mbox spool: while its locks are held
            }
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                if (flush != null) {
                    flush.await();
                }
                return land(channelFile, at, s, t, dp, xattrs, true);
            }, finalizers).thenCompose(landed -> landed);
        } catch (Exception e) {
            undo(journaled, t, target, temp);
            return done(Result.failed(reason(e)));
        } finally {
            if (straight != null) {
                straight.close();
            }
            if (!handedOff) {
                closeQuietly(ch);
            }
            closeQuietly(old);
            if (lock != null) {
                lock.close();
            }
        }
    }

    /**
     * A small whole file: its data is read into memory here and counted against its size, and the
     * landing pool creates, writes and lands it, so this thread goes on reading the next operation
     * while the file system works (creating files was most of this thread's time in a full copy).
     * Same checks and the same landing as {@link #file}: new file (unnamed where nothing was),
     * metadata, sync, rename or link, only if the target is still as the scan saw it.
     */
    private java.util.concurrent.CompletableFuture<Result> smallFile(AtPath target, FileEntry s, FileEntry t, Action.Displace dp,
                                                          Map<String, byte[]> xattrs) throws IOException {
        int reserved = (int) s.size();
        // the payloads themselves, not a copy: most small files arrive in one DATA frame
        List<byte[]> data = new ArrayList<>(1);
        long[] arrived = {0};
        Transfer transfer;
        try {
            transfer = transfer(payload -> {
                arrived[0] += payload.length;
                // kept only within the announced size, the memory reserved: more fails the file below
                if (arrived[0] <= s.size()) {
                    data.add(payload);
                }
            });
        } catch (IOException | RuntimeException e) {
            smallFileBytes.release(reserved);
            throw e;
        }
        if (transfer.aborted()) {
            smallFileBytes.release(reserved);
            return done(Result.changed("changed on the owner while it was sent"));
        }
        IOException wrong = transfer.problem() != null ? transfer.problem() : Arrival.check(null, arrived[0], s.size(), transfer.hash());
        if (wrong != null) {
            smallFileBytes.release(reserved);
            return done(Result.failed(reason(wrong)));
        }
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            // where nothing is, the file is made without a name in the target's directory and named
            // once durable: one link, where a temporary name cost a create in another directory and a
            // rename across directories (which the kernel serialises for the whole file system). Only
            // under the session's sync, whose last syncfs also makes the links' inode updates durable
            LandingFile file = t == null && sync != null && sync.covers(dirOf(s.path()))
                    ? LandingFile.unnamed(target, s.mode(), unnamedOpen, noUnnamed) : null;
            try {
                if (file == null) {
                    file = LandingFile.create(landingTemp(target, s.path()));
                }
                file.writeNew(data);
            } catch (IOException | RuntimeException e) {
                if (file != null) {
                    discard(file, t, target);
                }
                return done(Result.failed(reason(e)));
            } finally {
                smallFileBytes.release(reserved);
            }
            return land(file, target, s, t, dp, xattrs, true);
        }, finalizers).thenCompose(landed -> landed);
    }

    /** What arrived for one file: the owner's hash at its END, or ABORT; the first failure to take the data. */
    private record Transfer(String hash, boolean aborted, IOException problem) {
    }

    /** Takes a DATA payload of a file transfer. */
    @FunctionalInterface
    private interface Payloads {
        void accept(byte[] payload) throws IOException;
    }

    /**
     * Reads a file transfer's frames up to its END or ABORT, handing each DATA payload to {@code
     * data}; after the first payload it fails to take, the rest are read and dropped, so the stream
     * stays in step.
     */
    private Transfer transfer(Payloads data) throws IOException {
        IOException problem = null;
        while (true) {
            Frames.Frame f = read();
            switch (f.type()) {
                case Frames.DATA -> {
                    if (problem == null) {
                        try {
                            data.accept(f.payload());
                        } catch (IOException e) {
                            problem = e;
                        }
                    }
                }
                case Frames.END -> {
                    return new Transfer(f.in().readUTF(), false, problem);
                }
                case Frames.ABORT -> {
                    return new Transfer(null, true, problem);
                }
                default -> throw new Frames.BadFrame("frame type " + f.type() + " inside a file transfer");
            }
        }
    }

    /** Unnamed files open at once in a session, waiting for their sync (beyond it, files land by temporary names). */
    static final int UNNAMED_OPEN = 2048;
    private final java.util.concurrent.Semaphore unnamedOpen = new java.util.concurrent.Semaphore(UNNAMED_OPEN);
    /** Set when the set's file system cannot make unnamed files. */
    private final java.util.concurrent.atomic.AtomicBoolean noUnnamed = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Set once an unnamed file was named: its link count changed after the sync that made it durable,
     * and an fsync of its directory does not write that (ext4 without a journal), so the session
     * ends with one more sync.
     */
    private final java.util.concurrent.atomic.AtomicBoolean linkedUnnamed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Lets go of a file that will not land, and removes its temporary file if it has one. */
    private void discard(LandingFile file, FileEntry t, AtPath target) {
        file.abandon();
        if (file.temp() != null) {
            undo(false, t, target.path(), file.temp().path());
        }
    }

    /** The rename after a shared sync; a failed sync fails the file and removes its temporary file. */
    private Result placeAfterSync(Throwable syncFailure, LandingFile file, AtPath target, String rel, FileEntry t, Action.Displace dp) {
        if (syncFailure != null) {
            discard(file, t, target);
            Throwable cause = syncFailure instanceof java.util.concurrent.CompletionException && syncFailure.getCause() != null
                    ? syncFailure.getCause() : syncFailure;
            return Result.failed(reason(cause instanceof Exception x ? x : new IOException(cause)));
        }
        try {
            return place(file, target, rel, t, dp);
        } catch (IOException | RuntimeException x) {
            discard(file, t, target);
            return Result.failed(reason(x));
        }
    }

    /**
     * Starts writing a large incoming file to disk while it is still arriving: every {@value
     * #EARLY_FLUSH_BYTES} bytes one fdatasync runs on the landing pool (never two at once), so the
     * final fsync before the rename finds little left to write and the disk works alongside the
     * network instead of after it. Only an optimisation: the final fsync is what makes the file land.
     */
    private final class EarlyFlush {
        private final FileChannel ch;
        private long unflushed;
        private java.util.concurrent.Future<?> running;

        EarlyFlush(FileChannel ch) {
            this.ch = ch;
        }

        void written(int n) {
            unflushed += n;
            if (unflushed >= EARLY_FLUSH_BYTES && (running == null || running.isDone())) {
                unflushed = 0;
                running = finalizers.submit(() -> {
                    ch.force(false);
                    return null;
                });
            }
        }

        /** Waits for the flush under way, if any (its failure is the final fsync's to find). */
        void await() {
            if (running == null) {
                return;
            }
            try {
                running.get();
            } catch (java.util.concurrent.ExecutionException e) {
                log.debug("early flush: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static final long EARLY_FLUSH_BYTES = 32L << 20;

    private static java.util.concurrent.CompletableFuture<Result> done(Result r) {
        return java.util.concurrent.CompletableFuture.completedFuture(r);
    }

    /**
     * Lands a received temporary file whose data is written: metadata first (so what makes it durable
     * covers the mode and times too), then either an fsync of its own or, with {@code mayShare} and a
     * session sync covering its directory, the next shared sync ({@link MirrorSync}); then the rename
     * over the target (old version displaced), or the link of an unnamed file, only if the target is
     * still as the scan saw it.
     */
    private java.util.concurrent.CompletableFuture<Result> land(LandingFile file, AtPath target, FileEntry s,
                                                               FileEntry t, Action.Displace dp, Map<String, byte[]> xattrs,
                                                               boolean mayShare) {
        boolean shared = mayShare && sync != null && sync.covers(dirOf(s.path()));
        try {
            Meta.writeXattrs(file.attributes(), xattrs);
            file.applyMeta(s);
            if (!shared) {
                file.force();
            }
            file.written();
            if (!shared) {
                return done(place(file, target, s.path(), t, dp));
            }
        } catch (IOException | RuntimeException e) {
            discard(file, t, target);
            return done(Result.failed(reason(e)));
        }
        return sync.after().handleAsync((ok, e) -> placeAfterSync(e, file, target, s.path(), t, dp), finalizers);
    }

    /** Puts a durable file at the target unless the target changed on this node meanwhile. */
    private Result place(LandingFile file, AtPath targetAt, String rel, FileEntry t, Action.Displace dp) throws IOException {
        // a new file: one rename (or link) that refuses to replace anything is both the check and the
        // landing (an lstat first cost as much as the rename); whatever is there now goes the long way
        if (t == null) {
            LibC.NoReplace r = file.landOnNothing(targetAt);
            if (r == LibC.NoReplace.MOVED) {
                if (file.temp() == null) {
                    linkedUnnamed.set(true);
                }
                dirtyDirs.add(dirOf(rel));
                return new Result(Status.OK, "", null);
            }
            if (file.temp() == null) {
                return Result.changed("changed on this node since its scan"); // an unnamed file: something is there now
            }
        }
        if (file.temp() == null) {
            throw new IllegalStateException("an unnamed file is only made where nothing was");
        }
        Path temp = file.temp().path();
        Path target = targetAt.path();
        if (!unchanged(target, t)) {
            Files.deleteIfExists(temp);
            return Result.changed("changed on this node since its scan");
        }
        String copy = displace(target, t, dp);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        dirtyDirs.add(dirOf(rel));
        return new Result(Status.OK, "", copy);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("close", e);
            }
        }
    }

    private void undo(boolean journaledAppend, FileEntry t, Path target, Path temp) {
        try {
            if (journaledAppend) {
                appendJournal.undo(target, t);
            } else if (temp != null) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            log.warn("Could not undo a failed transfer of {}: {}", resolver.shown(String.valueOf(target)), resolver.shown(e.toString()));
        }
    }

    private static void applyDelta(byte[] payload, FileChannel old, ByteBuffer block, int blockSize, FileChannel ch,
                                   ContentHash d) throws IOException {
        DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        while (p.available() > 0) {
            int kind = p.readUnsignedByte();
            if (kind == 1) {
                long index = p.readInt() & 0xffffffffL;
                block.clear();
                long pos = index * blockSize;
                while (block.hasRemaining()) {
                    int n = old.read(block, pos + block.position());
                    if (n < 0) {
                        break;
                    }
                }
                block.flip();
                d.update(block.duplicate());
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            } else if (kind == 2) {
                int len = p.readInt();
                if (len < 0 || len > payload.length) {
                    throw new Frames.BadFrame("bad literal length " + len);
                }
                byte[] lit = new byte[len];
                p.readFully(lit);
                d.update(lit);
                ByteBuffer b = ByteBuffer.wrap(lit);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } else {
                throw new Frames.BadFrame("bad delta instruction " + kind);
            }
        }
    }

    private void signature(FileEntry t) throws IOException {
        Path target = resolver.resolveOrNull(t.path());
        if (target == null || !unchanged(target, t) || !t.isFile()) {
            send(Frames.SIGNATURE, Frames.payload(o -> o.writeBoolean(false)));
            return;
        }
        int bs = MirrorEngine.blockSize(t.size());
        List<byte[]> hashes = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(bs);
            while (true) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // fill the block
                }
                if (buf.position() == 0) {
                    break;
                }
                buf.flip();
                ContentHash d = new ContentHash();
                d.update(buf);
                hashes.add(d.digest());
            }
        } catch (IOException e) {
            send(Frames.SIGNATURE, Frames.payload(o -> o.writeBoolean(false)));
            return;
        }
        send(Frames.SIGNATURE, Frames.payload(o -> {
            o.writeBoolean(true);
            o.writeInt(bs);
            o.writeInt(hashes.size());
            for (byte[] h : hashes) {
                o.write(h);
            }
        }));
    }

    /** Moves the target's old version out of the way: to the trash, or beside it as a conflict copy. */
    private String displace(Path target, FileEntry t, Action.Displace dp) throws IOException {
        if (t == null || !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (t.isDir()) {
            return moveDirectoryAside(target, t);
        }
        if (dp == Action.Displace.CONFLICT_COPY) {
            String copy = conflictCopy(target, t);
            conflicts.incrementAndGet();
            env.emit(new MirrorEvent.ConflictDetected(env.now(), set, group, t.path(),
                    "the owner's version won; this node's version was kept as " + copy));
            return copy;
        }
        if (!t.isDir()) {
            env.trash().keepCopy(pass, target, t.path(), t.size());
        }
        return null;
    }

    /**
     * The owner has a file or link where this node has a directory: the directory, with whatever is
     * in it, moves aside under a conflict name (one rename), so the owner's entry can take its place
     * and the nodes converge; an empty one is simply removed.
     */
    private String moveDirectoryAside(Path target, FileEntry t) throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isEmpty()) {
                Files.delete(target);
                dirtyDirs.add(dirOf(t.path()));
                return null;
            }
        }
        Path dir = conflictDir(target, t.path());
        String name = target.getFileName().toString();
        Instant now = Instant.ofEpochMilli(env.now());
        for (int seq = 1; ; seq++) {
            Path copy = dir.resolve(Conflicts.copyName(name, now, env.localNode(), seq));
            if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.move(target, copy, StandardCopyOption.ATOMIC_MOVE);
            dirtyDirs.add(conflictDirOf(t.path()));
            dirtyDirs.add(dirOf(t.path()));
            conflicts.incrementAndGet();
            String moved = inSet(conflictDirOf(t.path()), copy);
            env.emit(new MirrorEvent.ConflictDetected(env.now(), set, group, t.path(), "the owner has a "
                    + "file here; this node's directory, with everything in it, was moved to " + moved));
            return moved;
        }
    }

    /**
     * Where conflict copies of {@code target} (the set's {@code rel}) go: beside it, but never inside a
     * Maildir's cur, new or tmp. Reached from the target's own directory ({@code ..} of a directory
     * held open is its real parent), not by name.
     */
    private Path conflictDir(Path target, String rel) {
        Path dir = target.getParent();
        return inMailSubdir(rel) ? dir.resolve("..") : dir;
    }

    /** {@link #conflictDir} by its name in the set. */
    private Path conflictDirOf(String rel) {
        Path dir = dirOf(rel);
        return inMailSubdir(rel) ? dir.getParent() : dir;
    }

    private boolean inMailSubdir(String rel) {
        Path dir = dirOf(rel);
        return cfg.policy() == MirrorSetConfig.Policy.MAILDIR && !dir.equals(root)
                && Maildir.isMailSubdir(dir.getFileName().toString());
    }

    /** The path in the set of {@code file}, a file in {@code dir} (named by its path). */
    private String inSet(Path dir, Path file) {
        return root.relativize(dir.resolve(file.getFileName().toString())).toString();
    }

    /** Keeps this node's {@code target} as a conflict copy beside it; returns the copy's path in the set. */
    private String conflictCopy(Path target, FileEntry t) throws IOException {
        String name = target.getFileName().toString();
        Path dir = conflictDir(target, t.path());
        Path named = conflictDirOf(t.path());
        List<Path> existing;
        try (Stream<Path> s = Files.list(dir)) {
            // moved-aside directories are not trimmed: they hold whole trees
            existing = s.filter(p -> Conflicts.isCopyOf(p.getFileName().toString(), name)
                    && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (int i = 0; i <= existing.size() - Conflicts.MAX_PER_FILE; i++) {
            Path oldest = existing.get(i);
            env.trash().move(pass, oldest, inSet(named, oldest), Files.size(oldest));
        }
        Instant now = Instant.ofEpochMilli(env.now());
        for (int seq = 1; ; seq++) {
            Path copy = dir.resolve(Conflicts.copyName(name, now, env.localNode(), seq));
            if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (t.isFile()) {
                Files.createLink(copy, target);
            } else {
                Files.copy(target, copy, LinkOption.NOFOLLOW_LINKS);
            }
            dirtyDirs.add(named);
            return inSet(named, copy);
        }
    }

    private Result mkdir(FileEntry s, FileEntry t, Action.Displace dp) throws IOException {
        Path target = resolver.resolveOrNull(s.path());
        if (target == null || !unchanged(target, t)) {
            return Result.changed("changed on this node since its scan");
        }
        try {
            String copy = null;
            if (t != null && !t.isDir()) {
                copy = displace(target, t, dp);
                Files.delete(target);
            }
            if (t == null || !t.isDir()) {
                Files.createDirectory(target);
                dirtyDirs.add(dirOf(s.path()));
            }
            Meta.apply(target, s);
            return new Result(Status.OK, "", copy);
        } catch (IOException e) {
            return Result.failed(reason(e));
        }
    }

    private Result symlink(FileEntry s, FileEntry t, Action.Displace dp) throws IOException {
        if (!PathGuard.linkStaysInside(s.path(), s.linkTarget())) {
            throw new PathGuard.RefusedPath("symlink " + s.path() + " -> " + s.linkTarget() + " leads out of the set");
        }
        Path target = resolver.resolveOrNull(s.path());
        if (target == null || !unchanged(target, t)) {
            return Result.changed("changed on this node since its scan");
        }
        Path temp = temp(target);
        try {
            Files.createSymbolicLink(temp, Path.of(s.linkTarget()));
            Meta.apply(temp, s);
            String copy = displace(target, t, dp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dirtyDirs.add(dirOf(s.path()));
            return new Result(Status.OK, "", copy);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            return Result.failed(reason(e));
        }
    }

    private Result meta(FileEntry s, FileEntry t) throws IOException {
        Path target = resolver.resolveOrNull(s.path());
        if (target == null || !unchanged(target, t)) {
            return Result.changed("changed on this node since its scan");
        }
        try {
            Meta.apply(target, s);
            return Result.ok();
        } catch (IOException e) {
            return Result.failed(reason(e));
        }
    }

    private Result delete(FileEntry t) throws IOException {
        Path target = resolver.resolveOrNull(t.path());
        if (target == null || !unchanged(target, t)) {
            return Result.changed("changed on this node since its scan");
        }
        if (t.isDir()) {
            deferredRmdirs.add(t);
            return Result.ok();
        }
        try {
            env.trash().move(pass, target, t.path(), t.size());
            dirtyDirs.add(dirOf(t.path()));
            return Result.ok();
        } catch (IOException e) {
            return Result.failed(reason(e));
        }
    }

    private Result mbox(FileEntry b, FileEntry s, FileEntry t, boolean appendOnly) throws IOException {
        Path target = resolver.resolveOrNull(s.path());
        boolean changed = target == null || !unchanged(target, t);
        Path incoming = changed ? null : temp(target);
        IOException problem = null;
        FileChannel ch = null;
        ContentHash d = new ContentHash();
        try {
            if (incoming != null) {
                ch = FileChannel.open(incoming, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            problem = e;
        }
        String hash = null;
        boolean aborted = false;
        while (hash == null && !aborted) {
            Frames.Frame f = read();
            if (f.type() == Frames.DATA) {
                if (ch != null && problem == null) {
                    try {
                        writeHashed(ch, f.payload(), d);
                    } catch (IOException e) {
                        problem = e;
                    }
                }
            } else if (f.type() == Frames.END) {
                hash = f.in().readUTF();
            } else if (f.type() == Frames.ABORT) {
                aborted = true;
            } else {
                throw new Frames.BadFrame("frame type " + f.type() + " inside an mbox transfer");
            }
        }
        closeQuietly(ch);
        Path merged = null;
        try {
            if (changed) {
                return Result.changed("changed on this node since its scan");
            }
            if (aborted) {
                return Result.changed("changed on the owner while it was sent");
            }
            if (problem != null) {
                return Result.failed(reason(problem));
            }
            if (!d.hex().equals(hash)) {
                return Result.failed("content hash mismatch after transfer");
            }
            try (MboxLock lock = MboxLock.acquire(target, env.lockTimeoutMs())) {
                if (!unchanged(target, t)) {
                    return Result.changed("changed on this node while it was locked");
                }
                merged = temp(target);
                String how;
                try (FileChannel mc = FileChannel.open(merged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                     OutputStream os = java.nio.channels.Channels.newOutputStream(mc)) {
                    if (appendOnly) {
                        MboxMerge.appendMerge(target, b.size(), incoming, os);
                        how = "both nodes appended messages: merged (common part, the owner's new messages, then this node's)";
                    } else if (MboxMerge.looksLikeMbox(target) && MboxMerge.looksLikeMbox(incoming)) {
                        long from = b != null && b.hash() != null && t.prefixLength() == b.size()
                                && b.hash().equals(t.prefixHash()) ? b.size() : 0;
                        int added = MboxMerge.messageMerge(incoming, target, from, os);
                        how = "merged message by message: the owner's spool plus " + added + " message(s) only this node had";
                    } else {
                        how = null;
                    }
                    os.flush();
                    mc.force(true);
                }
                if (how == null) {
                    Files.delete(merged);
                    merged = incoming;
                    incoming = null;
                    Meta.apply(merged, s);
                    String copy = displace(target, t, Action.Displace.CONFLICT_COPY);
                    Files.move(merged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    merged = null;
                    dirtyDirs.add(dirOf(s.path()));
                    return new Result(Status.OK, "", copy);
                }
                Meta.apply(merged, s.withMtime(System.currentTimeMillis() * 1_000_000L));
                if (!appendOnly) {
                    env.trash().keepCopy(pass, target, t.path(), t.size());
                }
                Files.move(merged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                merged = null;
                dirtyDirs.add(dirOf(s.path()));
                conflicts.incrementAndGet();
                env.emit(new MirrorEvent.ConflictDetected(env.now(), set, group, t.path(), how));
                return new Result(Status.OK, how, null);
            }
        } catch (IOException e) {
            return Result.failed(reason(e));
        } finally {
            if (incoming != null) {
                Files.deleteIfExists(incoming);
            }
            if (merged != null) {
                Files.deleteIfExists(merged);
            }
        }
    }

    private void finish() throws IOException {
        awaitAnswers();
        for (int i = deferredRmdirs.size() - 1; i >= 0; i--) {
            FileEntry t = deferredRmdirs.get(i);
            Path dir = resolver.resolveOrNull(t.path());
            if (dir == null) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    continue; // new files on this node: the directory stays
                }
                Files.delete(dir);
                dirtyDirs.add(dirOf(t.path()));
            } catch (IOException e) {
                log.debug("Directory {} stays: {}", dir, e.toString());
            }
        }
        deferredRmdirs.clear();
        String problem = "";
        if (linkedUnnamed.getAndSet(false)) {
            try {
                sync.after().get(env.timeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                problem = reason(e.getCause() instanceof Exception x ? x : e);
            } catch (java.util.concurrent.TimeoutException e) {
                problem = reason(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = reason(e);
            }
        }
        for (Path d : dirtyDirs) {
            try {
                Durable.syncDir(d);
            } catch (java.nio.file.NoSuchFileException gone) {
                // removed above, once its files had gone: its parent, synced too, records that
            } catch (IOException e) {
                problem = reason(e);
            }
        }
        dirtyDirs.clear();
        env.trash().prune();
        String p = problem;
        send(Frames.FINISHED, Frames.payload(o -> {
            o.writeUTF(p);
            o.writeLong(conflicts.get());
        }));
    }

    /** Writes a whole payload and adds it to the running content hash, if any. */
    private static void writeHashed(java.nio.channels.WritableByteChannel ch, byte[] payload, ContentHash d)
            throws IOException {
        if (d != null) {
            d.update(payload);
        }
        ByteBuffer buf = ByteBuffer.wrap(payload);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
