package org.clusterd.mirror.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.ControlConfig;
import org.clusterd.config.FailurePolicy;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.MirrorConfig;
import org.clusterd.config.MirrorSetConfig;
import org.clusterd.config.Timers;
import org.clusterd.mirror.MirrorGuard;
import org.clusterd.mirror.MirrorKeys;
import org.clusterd.mirror.MirrorService;
import org.clusterd.mirror.PassResult;

/**
 * Times clusterd's mirror against {@code rsync -a --delete} to an rsync daemon on loopback, on a
 * generated tree like a small office server's, and prints a table of medians, ratios and peak heap.
 *
 * <pre>
 * mvn -q -B -DskipTests package
 * java --add-opens java.base/sun.nio.fs=ALL-UNNAMED -cp target/clusterd.jar org.clusterd.mirror.bench.MirrorBenchmark \
 *     [--dir /var/tmp/clusterd-bench] [--files 50000] [--tree-mb 1024] [--mbox-mb 1024] [--runs 3] [--warmup 3] [--jit-warmup 2]
 * </pre>
 *
 * Both mirror nodes run in this JVM (the peak heap covers both) over TLS on 127.0.0.1; rsync runs as
 * a daemon ({@code rsync --daemon --no-detach}) on 127.0.0.1. Cases: the first full copy into a
 * fresh directory (ours makes every file durable, so rsync is also timed followed by one {@code sync},
 * and with {@code --fsync}); a pass with
 * nothing changed; a pass after 1% of the files were partly rewritten; a pass after 1 MiB was
 * appended to the mbox. The tools run alternately on the same data, each case {@code runs} times,
 * each run after a {@code sync} (so none pays for the write-back of the one before); the incremental
 * cases follow {@code warmup} untimed passes of each tool after a few changed files and appended
 * mail, as the passes of a long-running daemon do.
 * Before anything is timed, {@code jit-warmup} untimed full copies of a small side tree let the JIT
 * compile our per-file code ({@code --jit-warmup 0} times a cold JVM's first copy instead).
 * Needs the {@code rsync} package. Leaves nothing behind but {@code --dir}, which it deletes at the end.
 */
public final class MirrorBenchmark {
    private final Path dir;
    private final int files;
    private final long treeBytes;
    private final long mboxBytes;
    private final int runs;
    private final Set<String> cases;
    private final int warmup;
    private final int jitWarmup;
    private final Map<String, List<Double>> ours = new LinkedHashMap<>();
    /** rsync's times, by how it was run. */
    private final Map<Rsync, Map<String, List<Double>>> theirs = new java.util.EnumMap<>(Rsync.class);

    /**
     * How rsync is timed: as it is; followed by one {@code sync} inside the timing (its data then on
     * disk as ours is, though not file by file); with {@code --fsync} (each file durable, as ours);
     * over ssh with AES-128-GCM (encrypted, as ours), as it is and followed by one {@code sync}.
     */
    private enum Rsync {
        PLAIN("", false, false, false), THEN_SYNC(" then sync", false, true, false), FSYNC("+fsync", false, false, true),
        SSH(" over ssh", true, false, false), SSH_THEN_SYNC(" over ssh then sync", true, true, false);

        final String label;
        final boolean ssh;
        final boolean thenSync;
        final boolean fsync;

        Rsync(String label, boolean ssh, boolean thenSync, boolean fsync) {
            this.label = label;
            this.ssh = ssh;
            this.thenSync = thenSync;
            this.fsync = fsync;
        }
    }
    private final Map<String, Long> peakHeap = new LinkedHashMap<>();
    private final SplittableRandom random = new SplittableRandom(2026);
    private Process rsyncd;
    /** Samples our timed passes, or null ({@link PassProfiler}). */
    private final PassProfiler profiler = PassProfiler.fromProperties();
    /** The ssh server rsync's encrypted runs go through, or null where this machine has none. */
    private SshDaemon sshd;
    private int rsyncPort;
    private final List<String> fileNames = new ArrayList<>();

    private MirrorBenchmark(Path dir, int files, long treeBytes, long mboxBytes, int runs, Set<String> cases, int warmup,
                            int jitWarmup) {
        this.cases = cases;
        this.warmup = warmup;
        this.jitWarmup = jitWarmup;
        this.dir = dir;
        this.files = files;
        this.treeBytes = treeBytes;
        this.mboxBytes = mboxBytes;
        this.runs = runs;
    }

    /** The cases --cases may name, in the order they run. */
    private static final List<String> CASES = List.of("full", "nochange", "changed", "append");

    private static final String USAGE = "usage: java -cp clusterd.jar org.clusterd.mirror.bench.MirrorBenchmark"
            + " [--dir DIR (default /var/tmp/clusterd-bench, deleted and rewritten)] [--files N (50000)]"
            + " [--tree-mb MB (1024)] [--mbox-mb MB (1024)] [--runs N (3)] [--warmup N (3)] [--jit-warmup N (4)] [--cases " + String.join(",", CASES)
            + " (all; without full, one untimed full copy sets the others up)]";

    private static Set<String> cases(String value) {
        Set<String> picked = new java.util.HashSet<>();
        for (String c : value.split(",", -1)) {
            if (!CASES.contains(c)) {
                throw new IllegalArgumentException("--cases takes some of " + String.join(",", CASES) + ", not '" + c + "'");
            }
            picked.add(c);
        }
        return Set.copyOf(picked);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, not '" + value + "'");
    }

    /** A number of passes: 0 or {@link #positive}. */
    private static int count(String option, String value) {
        return value.equals("0") ? 0 : positive(option, value);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/var/tmp/clusterd-bench");
        int files = 50_000;
        long treeMb = 1024;
        long mboxMb = 1024;
        int runs = 3;
        int warmup = 3;
        int jitWarmup = 4;
        Set<String> cases = Set.copyOf(CASES);
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (args[i].equals("--help") || args[i].equals("-h")) {
                    System.out.println(USAGE);
                    return;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(value);
                    case "--files" -> files = positive(args[i], value);
                    case "--tree-mb" -> treeMb = positive(args[i], value);
                    case "--mbox-mb" -> mboxMb = positive(args[i], value);
                    case "--runs" -> runs = positive(args[i], value);
                    case "--cases" -> cases = cases(value);
                    case "--warmup" -> warmup = count(args[i], value);
                    case "--jit-warmup" -> jitWarmup = count(args[i], value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("MirrorBenchmark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        // the benchmark deletes its directory at the start and the end: a second one on the same
        // directory would delete the first one's trees under it
        dir = dir.toAbsolutePath().normalize();
        try {
            refuseForeign(dir); // before the lock file beside it is made
        } catch (IOException e) {
            System.err.println("MirrorBenchmark: " + e.getMessage());
            System.exit(2);
        }
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.tryLock()) {
            if (held == null) {
                System.err.println("MirrorBenchmark: another benchmark is using " + dir + " (it holds " + lockFile
                        + "); wait for it or choose another directory with --dir");
                System.exit(1);
            }
            new MirrorBenchmark(dir, files, treeMb << 20, mboxMb << 20, runs, cases, warmup, jitWarmup).run();
        }
    }

    private void run() throws Exception {
        if (!Object.class.getModule().isOpen("sun.nio.fs", MirrorBenchmark.class.getModule())) {
            log("note: java.base does not open sun.nio.fs to this program, so scans read lstat through the slower"
                    + " attribute map; the daemon's jar opens it (run with --add-opens java.base/sun.nio.fs=ALL-UNNAMED)");
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Files.createFile(dir.resolve(MARKER));
        Path src = dir.resolve("src");
        long t0 = System.nanoTime();
        generate(src);
        log("generated %d files (%d MiB) and a %d MiB mbox in %.1f s", files, treeBytes >> 20, mboxBytes >> 20,
                (System.nanoTime() - t0) / 1e9);
        Path keys = dir.resolve("keys");
        MirrorKeys.generate(keys, List.of("alpha", "beta"));
        startRsyncd();
        sshd = SshDaemon.start(dir.resolve("ssh"));
        try {
            warmUpJit(keys);
            settleAfterDeletes();
            Pair last = null;
            boolean timeFull = cases.contains("full");
            for (int r = 0; r < (timeFull ? runs : 1); r++) {
                Path oursTarget = dir.resolve("ours-" + r);
                Path rsyncTarget = dir.resolve("rsync-" + r);
                Pair p = new Pair(keys, src, oursTarget, dir.resolve("state-" + r));
                boolean oursFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == oursFirst) {
                        evenMemory(src);
                        timeOurs("full copy", p, timeFull);
                    } else {
                        evenMemory(src);
                        timeRsync("full copy", rsyncTarget, Rsync.PLAIN, timeFull);
                        for (Rsync how : timeFull ? Rsync.values() : new Rsync[0]) {
                            if (how != Rsync.PLAIN && (!how.ssh || sshd != null)) {
                                evenMemory(src);
                                timeRsync("full copy", dir.resolve("rsync-" + how.name().toLowerCase() + "-" + r), how, true);
                            }
                        }
                    }
                }
                if (last != null) {
                    last.close();
                }
                last = p;
            }
            Path rsyncTarget = dir.resolve("rsync-" + ((timeFull ? runs : 1) - 1));
            for (int w = 0; w < warmup; w++) {
                // as between a daemon's passes: a few files rewritten and mail appended, so the
                // passes being timed run code the JIT has compiled
                changeFiles(Math.max(1, files / 1000));
                appendToMbox(src.resolve("mail/spool"));
                timeOurs("warm-up", last, false);
                timeRsync("warm-up", rsyncTarget, Rsync.PLAIN, false);
            }
            for (int r = 0; r < runs && cases.contains("nochange"); r++) {
                alternate(r, "no change", last, rsyncTarget, () -> { });
            }
            for (int r = 0; r < runs && cases.contains("changed"); r++) {
                alternate(r, "1% of files changed", last, rsyncTarget, this::changeOnePercent);
            }
            for (int r = 0; r < runs && cases.contains("append"); r++) {
                alternate(r, "1 MiB appended to mbox", last, rsyncTarget, () -> appendToMbox(src.resolve("mail/spool")));
            }
            last.close();
        } finally {
            rsyncd.destroy();
            rsyncd.waitFor(10, TimeUnit.SECONDS);
            if (sshd != null) {
                sshd.close();
            }
        }
        printTable();
        if (profiler != null) {
            profiler.write();
        }
        deleteTree(dir);
    }

    /** Marks a directory as this benchmark's: only such a directory, or an empty one, is deleted. */
    static final String MARKER = ".clusterd-bench";

    /**
     * The benchmark deletes its directory before it starts: a --dir that names anything else (a home
     * directory, a mount point) is refused instead, unless it is empty.
     */
    static void refuseForeign(Path dir) throws IOException {
        if (dir.toAbsolutePath().getParent() == null) {
            throw new IOException("--dir cannot be the root directory");
        }
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(dir.resolve(MARKER))) {
            return;
        }
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(dir + " is not empty and is not a benchmark directory (no " + MARKER
                        + " in it), so the benchmark will not delete it; choose a new or empty directory with --dir");
            }
        }
    }

    /** Files in the side tree of the JIT warm-up (with bytes and mbox in the benchmark's proportion). */
    private static final int WARM_FILES = 10_000;

    /**
     * Before anything is timed, {@code --jit-warmup} untimed full copies of a side tree of {@value
     * #WARM_FILES} files, each into a fresh target: a daemon that has been up has compiled its
     * per-file code, while a JVM that has only generated the data spends a third of both cores in the
     * JIT compiler during its first full copy (perf, this machine). rsync is native and needs none.
     */
    private void warmUpJit(Path keys) throws Exception {
        if (jitWarmup == 0) {
            return;
        }
        Path warmSrc = dir.resolve("warm-src");
        // the benchmark's mix of sizes and its mbox, scaled down: a side tree of small files only left
        // the large-file and mbox paths cold, and C2 then took a tenth of the timed copy's CPU (perf)
        int warmFiles = Math.min(files, WARM_FILES);
        generate(warmSrc, warmFiles, treeBytes * warmFiles / files, mboxBytes * warmFiles / files, new ArrayList<>());
        for (int w = 0; w < jitWarmup; w++) {
            // fresh targets, kept until the end: deleting them now would slow the timed runs' file creation
            try (Pair p = new Pair(keys, warmSrc, dir.resolve("warm-ours-" + w), dir.resolve("warm-state-" + w))) {
                timeOurs("JIT warm-up", p, false);
            }
        }
    }

    /**
     * Where ext4 runs without a journal (as on the machine these figures come from), it skips inodes
     * freed in the last 60 seconds when it creates files, reading each one's inode table block to
     * find out: the first tool to create files after {@link #deleteTree} paid several times the
     * system time of the second (5,000 files: 7.2 against 1.6 s). So nothing is deleted between
     * the start and the end, and the first timed run waits until that window has closed, counted
     * from this program's start too (the last run's own clean-up may have ended seconds before; a
     * rsync full copy then took 35 s instead of 6). After a {@code sync} the window is 60 s; while
     * the inode table is dirty it is six minutes.
     */
    private static final long AFTER_DELETE_MS = 65_000;
    private long lastDelete = System.currentTimeMillis();

    private void settleAfterDeletes() throws IOException, InterruptedException {
        quiesce();
        long wait = lastDelete + AFTER_DELETE_MS - System.currentTimeMillis();
        if (wait > 0) {
            log("waiting %d s before timing: files deleted at the start must age out of ext4's recently-deleted window",
                    (wait + 999) / 1000);
            Thread.sleep(wait);
        }
    }

    private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    /**
     * Before each full copy, the same memory for every tool: the page cache dropped (after a sync,
     * so only clean pages go) and the source read back into it. Each full copy leaves 2 GB more
     * cached; once memory was full, every later copy also paid for reclaiming pages, and the tool
     * that ran then took up to 4 times its system time. Needs root; without it, a note and no change.
     * The incremental cases keep their caches, as a daemon's would between passes.
     */
    private void evenMemory(Path src) throws IOException, InterruptedException {
        if (!Files.isWritable(DROP_CACHES)) {
            if (!notedNoDrop) {
                notedNoDrop = true;
                log("note: %s is not writable (not root), so full copies run with whatever memory the last one left", DROP_CACHES);
            }
            return;
        }
        quiesce();
        Files.writeString(DROP_CACHES, "1");
        long t = System.nanoTime();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
        long bytes = 0;
        try (var files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files.filter(x -> Files.isRegularFile(x, java.nio.file.LinkOption.NOFOLLOW_LINKS))::iterator) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    for (int n; (n = ch.read(buf.clear())) > 0; ) {
                        bytes += n;
                    }
                }
            }
        }
        log("%-24s page cache dropped, source read back (%d MiB in %.1f s)", "", bytes >> 20, (System.nanoTime() - t) / 1e9);
    }

    private boolean notedNoDrop;

    interface Change {
        void apply() throws IOException;
    }

    private void alternate(int r, String name, Pair p, Path rsyncTarget, Change change) throws Exception {
        change.apply();
        if (r % 2 == 0) {
            timeOurs(name, p, true);
            timeRsync(name, rsyncTarget, Rsync.PLAIN, true);
        } else {
            timeRsync(name, rsyncTarget, Rsync.PLAIN, true);
            timeOurs(name, p, true);
        }
    }

    // ------------------------------------------------------------------ the data

    /** The benchmark's tree: {@code files} files of mixed sizes in {@code treeBytes}, and the mbox. */
    private void generate(Path src) throws IOException {
        generate(src, files, treeBytes, mboxBytes, fileNames);
    }

    /** A tree like the benchmark's in {@code src}, its file names added to {@code names}. */
    private void generate(Path src, int files, long treeBytes, long mboxBytes, List<String> names) throws IOException {
        Path data = src.resolve("data");
        int perDir = 100;
        long avg = treeBytes / files;
        byte[] buf = new byte[1 << 20];
        for (int i = 0; i < files; i++) {
            // mixed sizes: mostly small, some medium, a few large, averaging treeBytes/files
            double u = random.nextDouble();
            long size;
            if (u < 0.70) {
                size = 1 + random.nextLong(Math.max(2, avg / 2));
            } else if (u < 0.97) {
                size = avg / 2 + random.nextLong(Math.max(2, avg * 2));
            } else {
                size = avg * 4 + random.nextLong(Math.max(2, avg * 16));
            }
            String name = String.format("d%03d/s%02d/file-%06d.dat", i / (perDir * 10), (i / perDir) % 10, i);
            names.add(name);
            Path f = data.resolve(name);
            Files.createDirectories(f.getParent());
            try (OutputStream out = Files.newOutputStream(f)) {
                long left = size;
                while (left > 0) {
                    int n = (int) Math.min(buf.length, left);
                    fill(buf, n);
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        }
        Path spool = src.resolve("mail/spool");
        Files.createDirectories(spool.getParent());
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(spool), 1 << 20)) {
            long written = 0;
            int id = 0;
            while (written < mboxBytes) {
                byte[] m = message(id++, 2_000 + random.nextInt(60_000));
                out.write(m);
                written += m.length;
            }
        }
    }

    private void fill(byte[] buf, int n) {
        for (int i = 0; i < n; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8 && i + k < n; k++) {
                buf[i + k] = (byte) (v >>> (k * 8));
            }
        }
    }

    private byte[] message(int id, int bodySize) {
        StringBuilder b = new StringBuilder(bodySize + 200);
        b.append("From sender@example.org Thu Nov 26 10:15:00 2026\nMessage-ID: <").append(id).append('.')
                .append(random.nextLong()).append("@bench>\nSubject: message ").append(id).append("\n\n");
        while (b.length() < bodySize) {
            b.append(Long.toHexString(random.nextLong())).append(Long.toHexString(random.nextLong())).append('\n');
        }
        b.append('\n');
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void changeOnePercent() throws IOException {
        changeFiles(Math.max(1, files / 100));
    }

    /** Rewrites 4 KiB inside each of {@code n} files picked at random. */
    private void changeFiles(int n) throws IOException {
        List<String> pick = new ArrayList<>(fileNames);
        Collections.shuffle(pick, new java.util.Random(random.nextLong()));
        Path data = dir.resolve("src/data");
        byte[] patch = new byte[4096];
        for (String name : pick.subList(0, n)) {
            Path f = data.resolve(name);
            long size = Files.size(f);
            fill(patch, patch.length);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                long at = size <= patch.length ? 0 : random.nextLong(size - patch.length);
                ch.write(java.nio.ByteBuffer.wrap(patch, 0, (int) Math.min(patch.length, Math.max(1, size))), at);
            }
        }
    }

    private void appendToMbox(Path spool) throws IOException {
        try (OutputStream out = Files.newOutputStream(spool, StandardOpenOption.APPEND)) {
            long written = 0;
            while (written < (1 << 20)) {
                byte[] m = message(random.nextInt(1 << 30), 30_000);
                out.write(m);
                written += m.length;
            }
        }
    }

    // ------------------------------------------------------------------ the tools

    /** Our two nodes: alpha owns group "bench" and pushes src to target. */
    private final class Pair implements AutoCloseable {
        final MirrorService alpha;
        final MirrorService beta;

        Pair(Path keys, Path src, Path target, Path state) throws IOException {
            Files.createDirectories(target);
            int pa = Loopback.freePort();
            int pb = Loopback.freePort();
            alpha = service("alpha", "beta", pa, pb, keys, src, state.resolve("alpha"), true);
            beta = service("beta", "alpha", pb, pa, keys, target, state.resolve("beta"), false);
            alpha.start();
            beta.start();
        }

        @Override
        public void close() {
            alpha.close();
            beta.close();
        }
    }

    private static MirrorService service(String node, String peer, int port, int peerPort, Path keys, Path root, Path state,
                                         boolean owner) throws IOException {
        MirrorSetConfig set = new MirrorSetConfig("bench", root, List.of(), "0 0 0 1 1 ? 2099", MirrorSetConfig.Policy.COPY,
                0.5, false);
        MirrorConfig m = new MirrorConfig(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", peerPort),
                keys.resolve("mirror-" + node + ".p12"), keys.resolve("mirror-trust.p12"), keys.resolve("mirror.pass"), 1L << 30);
        ClusterConfig c = new ClusterConfig(state.resolve("clusterd.yaml"), "bench", node, peer, new byte[32], state,
                new ControlConfig(1, state.resolve("token")), Timers.DEFAULTS, List.of(), List.of(), FailurePolicy.DEFAULTS,
                List.of(new GroupConfig("bench", "alpha", GroupConfig.Failback.AUTO, List.of(), List.of(set))), List.of(),
                Optional.empty(), Optional.of(m));
        MirrorGuard guard = new MirrorGuard() {
            @Override
            public boolean mayPush(String group) {
                return owner;
            }

            @Override
            public boolean mayReceive(String group) {
                return !owner;
            }
        };
        return new MirrorService(c, guard, e -> { }, System::currentTimeMillis, 600_000);
    }

    /** Runs our pass; records its time only if {@code record} (else it just sets up the later cases). */
    private void timeOurs(String name, Pair p, boolean record) throws IOException, InterruptedException {
        quiesce();
        System.gc();
        resetPeaks();
        long[] cpu = cpuTicks();
        if (record && profiler != null) {
            profiler.resume();
        }
        long t = System.nanoTime();
        PassResult r = p.alpha.passNow("bench");
        double s = (System.nanoTime() - t) / 1e9;
        if (record && profiler != null) {
            profiler.pause();
        }
        String used = cpuSince(cpu);
        if (!r.ok()) {
            throw new IllegalStateException(name + ": our pass failed: " + r.reason());
        }
        if (record) {
            ours.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
            peakHeap.merge(name, peakHeapBytes(), Math::max);
        }
        log("%-24s ours   %7.2f s  (%d files, %d bytes moved; %s)", name, s, r.filesMoved(), r.bytesMoved(), used);
    }

    private void timeRsync(String name, Path target, Rsync how, boolean record) throws Exception {
        String rel = dir.relativize(target).toString();
        List<String> cmd = new ArrayList<>(List.of("rsync", "-a", "--delete"));
        if (how.fsync) {
            cmd.add("--fsync");
        }
        if (how.ssh) {
            cmd.add("-e");
            cmd.add(sshd.command());
        }
        cmd.add(dir.resolve("src") + "/");
        cmd.add(how.ssh ? "root@127.0.0.1:" + target + "/" : "rsync://127.0.0.1:" + rsyncPort + "/bench/" + rel + "/");
        quiesce();
        long[] cpu = cpuTicks();
        long t = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("rsync failed: " + out);
        }
        if (how.thenSync) {
            quiesce();
        }
        double s = (System.nanoTime() - t) / 1e9;
        String used = cpuSince(cpu);
        if (record) {
            Map<String, List<Double>> into = theirs.computeIfAbsent(how, k -> new LinkedHashMap<>());
            into.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
        }
        log("%-24s rsync%s %7.2f s  (%s)", name, how.label, s, used);
    }

    /**
     * The machine's CPU time so far from {@code /proc/stat} (user+nice, system+irq+softirq, iowait, in
     * clock ticks), or null where there is none: both tools share the machine, so what a run cost
     * is read machine-wide.
     */
    private static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return new long[] {Long.parseLong(f[1]) + Long.parseLong(f[2]),
                Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]), Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The CPU seconds used since {@code before}, for the log line. */
    private static String cpuSince(long[] before) {
        long[] now = cpuTicks();
        if (before == null || now == null) {
            return "cpu n/a";
        }
        double hz = 100.0; // USER_HZ, 100 on Linux
        return String.format("cpu: user %.1f s, system %.1f s, iowait %.1f s", (now[0] - before[0]) / hz,
                (now[1] - before[1]) / hz, (now[2] - before[2]) / hz);
    }

    /**
     * Writes out all dirty data before a timed run. Without it a run pays for the write-back the
     * previous run left behind: rsync leaves what it wrote in the page cache, and our next sync or
     * journal commit would flush its gigabyte too.
     */
    private static void quiesce() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sync").inheritIO().start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("sync failed");
        }
    }

    private void startRsyncd() throws IOException {
        rsyncPort = Loopback.freePort();
        Path conf = dir.resolve("rsyncd.conf");
        Files.writeString(conf, "use chroot = no\nuid = root\ngid = root\n[bench]\npath = " + dir + "\nread only = false\n");
        rsyncd = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--address=127.0.0.1", "--port=" + rsyncPort,
                "--config=" + conf, "--log-file=" + dir.resolve("rsyncd.log")).redirectErrorStream(true).start();
        if (Loopback.awaitListening(rsyncd, rsyncPort)) {
            return;
        }
        throw new IOException("rsync daemon did not start");
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            b.resetPeakUsage();
        }
    }

    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP) {
                sum += b.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ output

    private static double median(List<Double> v) {
        if (v == null || v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private void printTable() {
        System.out.printf("%nclusterd mirror vs rsync -a --delete (rsync daemon on loopback"
                + (sshd != null ? "; for the full copy also over ssh with " + SshDaemon.CIPHER : "") + "); %d files, %d MiB tree,"
                + " %d MiB mbox; median of %d runs, alternating, each after a sync; %d untimed full copies of a %d-file side tree"
                + " of the same mix first (JIT warm-up); %d untimed warm-up passes of each (0.1%% of the files changed, mail appended)"
                + " before the incremental cases%n", files, treeBytes >> 20, mboxBytes >> 20, runs, jitWarmup,
                Math.min(files, WARM_FILES), warmup);
        List<Rsync> shown = new ArrayList<>();
        StringBuilder head = new StringBuilder(String.format("%-24s %10s", "case", "ours (s)"));
        for (Rsync how : Rsync.values()) {
            if (theirs.containsKey(how)) {
                shown.add(how);
                head.append(String.format(" %" + (how.label.length() + 10) + "s %6s", "rsync" + how.label + " (s)", "ratio"));
            }
        }
        System.out.println(head.append(String.format(" %12s", "peak heap")));
        for (String name : ours.keySet()) {
            double o = median(ours.get(name));
            StringBuilder line = new StringBuilder(String.format("%-24s %10.2f", name, o));
            for (Rsync how : shown) {
                double r = median(theirs.get(how).get(name));
                line.append(String.format(" %" + (how.label.length() + 10) + "s %6s", orDash(r), orDash(o / r)));
            }
            System.out.println(line.append(String.format(" %8d MiB", peakHeap.get(name) >> 20)));
        }
    }

    private static String orDash(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2f", v);
    }

    private static void log(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }

    private void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        lastDelete = System.currentTimeMillis();
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
