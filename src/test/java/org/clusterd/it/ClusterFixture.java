package org.clusterd.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.clusterd.harness.FreePorts;
import org.clusterd.harness.Journal;
import org.clusterd.harness.LinkRelay;
import org.clusterd.harness.NodeProcess;
import org.clusterd.harness.ServiceProbe;
import org.clusterd.harness.UdpRelay;

/**
 * A two-node clusterd cluster of real daemon JVMs on 127.0.0.1, for the multi-process tests.
 *
 * <p>In a (temporary) directory it writes a 32-byte cluster key (mode 600) and one configuration
 * per node: nodes {@code alpha} and {@code beta}, {@code links} heartbeat links whose {@code peer}
 * address is a {@link LinkRelay} port (so a test can cut, slow or damage each link per direction),
 * a control port each, and two groups running {@code etc/demo/demo-service.sh}: {@code web}
 * (home alpha) and {@code mail} (home beta), each on its own TCP port, both writing to one journal
 * in the directory. Optionally ({@link Options#tapped}) a {@link DatagramTap} sits in front of
 * every relay direction and keeps copies of the real heartbeats.
 *
 * <p>Each start of a node is a new {@link NodeProcess} (own process group: a {@link #crash} is a
 * power loss of the daemon and its services) with its own log file {@code logs/NODE-RUN.log};
 * {@link #logText} joins the runs of a node. {@link #close()} kills every process ever started
 * (frozen ones too) and every relay and tap, even after a failed test, and copies the logs, the
 * journal and the configurations to {@code target/it-logs/NAME/}.
 *
 * <p>Every wait is bounded (Awaitility); a failed wait throws an {@link AssertionError} that
 * describes the cluster (who answers, the journal's last intervals, the tail of both logs).
 */
public final class ClusterFixture implements AutoCloseable {
    public static final String ALPHA = "alpha";
    public static final String BETA = "beta";
    public static final List<String> NODES = List.of(ALPHA, BETA);
    public static final String WEB = "web";
    public static final String MAIL = "mail";
    public static final List<String> GROUPS = List.of(WEB, MAIL);
    /**
     * What "the group's stop time" may take on a loaded 2-core CI machine: demo-service.sh stop
     * (SIGTERM to the service JVM, which closes its port and writes STOP) measures 100-300 ms.
     */
    public static final long STOP_ALLOWANCE_MILLIS = 2000;
    /** A service whose last journal record is older than this is not running any more. */
    static final long RUNNING_FRESHNESS_MILLIS = 400;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Heartbeat timers of both nodes, in milliseconds. */
    public record Timers(long intervalMs, long warnMs, long deadMs, long initDeadMs) {
        /** The product defaults: 500 ms / 1500 ms / 3 s / 10 s. */
        public static final Timers DEFAULT = new Timers(500, 1500, 3000, 10_000);
        /**
         * Fast timers for most scenarios: 100 ms / 300 ms / 500 ms / 5 s. initDead is 5 s, not 2 s:
         * on a loaded 2-core machine one daemon JVM may come up 2-3 s after the other, and with a
         * 2 s initDead the first one (rightly, by rule 2) takes the late one's group over before it
         * is up, which makes every start-up a takeover plus a failback. A node starts its own
         * groups as soon as it hears its peer, so the longer initDead costs nothing in a normal start.
         */
        public static final Timers FAST = new Timers(100, 300, 500, 5000);
    }

    /** What to build; every setter returns this. */
    public static final class Options {
        String name = "cluster";
        Timers timers = Timers.FAST;
        int links = 2;
        boolean tapped;
        String failback = "auto";
        long monitorIntervalMs = 1000;
        java.util.function.Function<String, String> extraConfig = node -> "";
        java.util.function.BiFunction<String, String, String> groupConfig = (node, group) -> "";
        java.util.function.BiFunction<String, String, String> extraResources = (node, group) -> "";

        /** Name of the artefact folder under target/it-logs (use the test's name). */
        public Options name(String name) {
            this.name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
            return this;
        }

        public Options timers(Timers timers) {
            this.timers = timers;
            return this;
        }

        public Options links(int links) {
            this.links = links;
            return this;
        }

        /** Puts a {@link DatagramTap} in front of each relay direction. */
        public Options tapped() {
            this.tapped = true;
            return this;
        }

        public Options failback(String failback) {
            this.failback = failback;
            return this;
        }

        public Options monitorIntervalMs(long ms) {
            this.monitorIntervalMs = ms;
            return this;
        }

        /** More YAML inside each group of a node's config (for example its mirrors:), indented 4 spaces. */
        public Options groupConfig(java.util.function.BiFunction<String, String, String> perNodeAndGroup) {
            this.groupConfig = perNodeAndGroup;
            return this;
        }

        /**
         * More entries of a group's resources: list after its service (so they start after and stop
         * before it), YAML list items indented 6 spaces.
         */
        public Options extraResources(java.util.function.BiFunction<String, String, String> perNodeAndGroup) {
            this.extraResources = perNodeAndGroup;
            return this;
        }

        /** More top-level YAML for a node's config (for example an snmp: section). */
        public Options extraConfig(java.util.function.Function<String, String> perNode) {
            this.extraConfig = perNode;
            return this;
        }
    }

    /** Output of one {@code clusterd} command-line run. */
    public record CliResult(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /** A position in a node's joined log, to wait for lines written after it. */
    public record LogMark(String node, int offset) {
    }

    /** One mirror set of group mail: its name, policy and directory on each node. */
    public record MirrorSet(String name, String policy, java.util.function.Function<String, Path> path) {
    }

    /**
     * Options whose nodes mirror one set of group mail over mutual TLS (keys made in {@code keysDir}),
     * at {@code path.apply(node)} with {@code policy}; the set's schedule never fires, so passes run
     * only on demand ({@code clusterd mirror}) and in resyncs.
     */
    public static Options mirrored(Path keysDir, String set, String policy, java.util.function.Function<String, Path> path)
            throws IOException {
        return mirrored(keysDir, List.of(new MirrorSet(set, policy, path)));
    }

    /** As {@link #mirrored(Path, String, String, java.util.function.Function)}, with several sets. */
    public static Options mirrored(Path keysDir, List<MirrorSet> sets) throws IOException {
        List<org.clusterd.mirror.MirrorKeys.NodeKeys> keys = org.clusterd.mirror.MirrorKeys.generate(keysDir, NODES);
        int[] ports = FreePorts.next(2);
        for (MirrorSet set : sets) {
            for (String n : NODES) {
                Files.createDirectories(set.path().apply(n));
            }
        }
        return options().extraConfig(node -> {
            int me = NODES.indexOf(node);
            org.clusterd.mirror.MirrorKeys.NodeKeys k = keys.get(me);
            return "mirror:\n  listen: 127.0.0.1:" + ports[me] + "\n  peer: 127.0.0.1:" + ports[1 - me]
                    + "\n  keystore: " + k.keystore() + "\n  truststore: " + k.truststore()
                    + "\n  passwordFile: " + k.passwordFile() + "\n";
        }).groupConfig((node, group) -> {
            if (!group.equals(MAIL)) {
                return "";
            }
            StringBuilder y = new StringBuilder("    mirrors:\n");
            for (MirrorSet set : sets) {
                y.append("      - name: ").append(set.name()).append("\n        path: ").append(set.path().apply(node))
                        .append("\n        policy: ").append(set.policy())
                        .append("\n        schedule: \"0 0 0 1 1 ? 2099\"\n");
            }
            return y.toString();
        });
    }

    public static Options options() {
        return new Options();
    }

    private final Path dir;
    private final Options options;
    private final Path jar;
    private final Path script;
    private final Path key;
    private final Path journal;
    private final Map<String, Integer> servicePorts = new LinkedHashMap<>();
    private final Map<String, Integer> controlPorts = new LinkedHashMap<>();
    /** Per link: the port alpha binds, the port beta binds. */
    private final List<int[]> localPorts = new ArrayList<>();
    private final List<LinkRelay> relays = new ArrayList<>();
    /** Per link: tap in front of the alpha→beta direction, then of beta→alpha. */
    private final List<DatagramTap> taps = new ArrayList<>();
    private final Map<String, NodeProcess> current = new LinkedHashMap<>();
    private final Map<String, List<Path>> runLogs = new LinkedHashMap<>();
    private final Map<String, Long> startedAtMillis = new LinkedHashMap<>();
    private final List<NodeProcess> everStarted = new ArrayList<>();

    private ClusterFixture(Path dir, Options options) {
        this.dir = dir.toAbsolutePath();
        this.options = options;
        this.jar = NodeProcess.daemonJar();
        this.script = Path.of("etc/demo/demo-service.sh").toAbsolutePath();
        this.key = this.dir.resolve("cluster.key");
        this.journal = this.dir.resolve("journal.log");
        NODES.forEach(n -> runLogs.put(n, new ArrayList<>()));
    }

    /** Writes the key and both configurations into {@code dir} and opens the relays; starts no node. */
    public static ClusterFixture create(Path dir, Options options) throws IOException {
        ClusterFixture f = new ClusterFixture(dir, options);
        try {
            f.setUp();
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    public static ClusterFixture create(Path dir, Timers timers, String name) throws IOException {
        return create(dir, options().timers(timers).name(name));
    }

    private void setUp() throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no daemon jar at " + jar + " (run mvn package first)");
        }
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("no executable demo service script at " + script);
        }
        Files.createDirectories(dir.resolve("logs"));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(key, secret);
        for (String g : GROUPS) {
            servicePorts.put(g, FreePorts.next());
        }
        for (String n : NODES) {
            controlPorts.put(n, FreePorts.next());
        }
        for (int i = 0; i < options.links; i++) {
            int alphaPort = FreePorts.next();
            int betaPort = FreePorts.next();
            localPorts.add(new int[] {alphaPort, betaPort});
            relays.add(new LinkRelay(linkName(i), 0, loopback(betaPort), 0, loopback(alphaPort)));
            if (options.tapped) {
                LinkRelay r = relays.get(i);
                taps.add(new DatagramTap(linkName(i) + "-a>b", loopback(r.portTowardB())));
                taps.add(new DatagramTap(linkName(i) + "-b>a", loopback(r.portTowardA())));
            }
        }
        for (String n : NODES) {
            Files.createDirectories(stateDir(n).getParent());
            Files.writeString(config(n), configText(n), StandardCharsets.UTF_8);
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(FreePorts.LOOPBACK, port);
    }

    public static String linkName(int i) {
        return "net" + (i + 1);
    }

    public static String peerOf(String node) {
        return node.equals(ALPHA) ? BETA : ALPHA;
    }

    public static String homeOf(String group) {
        return group.equals(WEB) ? ALPHA : BETA;
    }

    /** Where {@code node} sends its heartbeats for link {@code i}: its tap if tapped, else its relay direction. */
    private int sendPort(String node, int i) {
        LinkRelay r = relays.get(i);
        if (options.tapped) {
            return tap(i, node).port();
        }
        return node.equals(ALPHA) ? r.portTowardB() : r.portTowardA();
    }

    String configText(String node) {
        Timers t = options.timers;
        StringBuilder y = new StringBuilder();
        y.append("# written by ClusterFixture\n");
        y.append("cluster: it\n");
        y.append("node: ").append(node).append('\n');
        y.append("peer: ").append(peerOf(node)).append('\n');
        y.append("keyFile: ").append(key).append('\n');
        y.append("stateDir: ").append(stateDir(node)).append('\n');
        y.append("control:\n  port: ").append(controlPorts.get(node)).append('\n');
        y.append("timers:\n");
        y.append("  heartbeatInterval: ").append(t.intervalMs()).append("ms\n");
        y.append("  warnTime: ").append(t.warnMs()).append("ms\n");
        y.append("  deadTime: ").append(t.deadMs()).append("ms\n");
        y.append("  initDead: ").append(t.initDeadMs()).append("ms\n");
        y.append("links:\n");
        for (int i = 0; i < options.links; i++) {
            y.append("  - name: ").append(linkName(i)).append('\n');
            y.append("    local: 127.0.0.1:").append(linkPort(node, i)).append('\n');
            y.append("    peer: 127.0.0.1:").append(sendPort(node, i)).append('\n');
        }
        y.append("failurePolicy:\n  monitorInterval: ").append(options.monitorIntervalMs).append("ms\n");
        y.append("groups:\n");
        for (String g : GROUPS) {
            y.append("  - name: ").append(g).append('\n');
            y.append("    home: ").append(homeOf(g)).append('\n');
            y.append("    failback: ").append(options.failback).append('\n');
            y.append("    resources:\n");
            y.append("      - type: exec\n");
            y.append("        name: ").append(g).append("-service\n");
            for (String action : List.of("start", "stop", "status")) {
                y.append("        ").append(action).append(": '\"").append(script).append("\" ").append(action)
                        .append(" \"$CLUSTERD_NODE\" ").append(g).append(' ').append(servicePorts.get(g))
                        .append(" \"").append(journal).append("\" \"$CLUSTERD_STATE_DIR/").append(g)
                        .append(".pid\"'\n");
            }
            y.append("        environment:\n          CLUSTERD_JAR: ").append(jar).append('\n');
            y.append("        timeout: 20s\n");
            y.append(options.extraResources.apply(node, g));
            y.append(options.groupConfig.apply(node, g));
        }
        y.append(options.extraConfig.apply(node));
        return y.toString();
    }

    // ------------------------------------------------------------------ where things are

    public Path dir() {
        return dir;
    }

    public Timers timers() {
        return options.timers;
    }

    public Path config(String node) {
        return dir.resolve(node + ".yaml");
    }

    public Path stateDir(String node) {
        return dir.resolve(node).resolve("state");
    }

    public Path standbyLock(String node) {
        return stateDir(node).resolve("standby.lock");
    }

    public Path journalFile() {
        return journal;
    }

    public int servicePort(String group) {
        return servicePorts.get(group);
    }

    public int controlPort(String node) {
        return controlPorts.get(node);
    }

    public int linkCount() {
        return options.links;
    }

    /** The UDP port {@code node}'s daemon binds for link {@code i}. */
    public int linkPort(String node, int i) {
        return localPorts.get(i)[node.equals(ALPHA) ? 0 : 1];
    }

    public LinkRelay link(int i) {
        return relays.get(i);
    }

    public List<LinkRelay> links() {
        return List.copyOf(relays);
    }

    /** The relay direction carrying {@code from}'s heartbeats on link {@code i}. */
    public UdpRelay relayFrom(String from, int i) {
        return relays.get(i).relay(direction(from));
    }

    public static LinkRelay.Direction direction(String from) {
        return from.equals(ALPHA) ? LinkRelay.Direction.A_TO_B : LinkRelay.Direction.B_TO_A;
    }

    /** The tap of {@code from}'s heartbeats on link {@code i} (only with {@link Options#tapped}). */
    DatagramTap tap(int i, String from) {
        if (!options.tapped) {
            throw new IllegalStateException("the fixture was created without taps");
        }
        return taps.get(2 * i + (from.equals(ALPHA) ? 0 : 1));
    }

    public void cutAllLinks() {
        relays.forEach(LinkRelay::cut);
    }

    public void restoreAllLinks() {
        relays.forEach(r -> {
            r.restore();
            r.setLossPercent(0, 0);
            r.setDelayMillis(0);
        });
    }

    // ------------------------------------------------------------------ nodes

    /** Starts {@code node}'s daemon (a new run with its own log file). */
    public NodeProcess start(String node) throws IOException {
        NodeProcess running = current.get(node);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(node + " is still running: " + running);
        }
        List<Path> logs = runLogs.get(node);
        Path log = dir.resolve("logs").resolve(node + "-" + (logs.size() + 1) + ".log");
        logs.add(log);
        List<String> command = List.of(NodeProcess.javaExecutable(), "-Xmx128m", "-jar", jar.toString(),
                "run", "--config", config(node).toString());
        long at = System.currentTimeMillis();
        NodeProcess p = NodeProcess.start(node, log, command, Map.of("CLUSTERD_JAR", jar.toString()));
        synchronized (this) {
            everStarted.add(p);
            current.put(node, p);
            startedAtMillis.put(node, at);
        }
        return p;
    }

    /** Starts both nodes at the same moment (two threads released by one barrier). */
    public void startBoth() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<CompletableFuture<NodeProcess>> starts = new ArrayList<>();
        for (String n : NODES) {
            starts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await(10, TimeUnit.SECONDS);
                    return start(n);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start " + n, e);
                }
            }));
        }
        for (CompletableFuture<NodeProcess> s : starts) {
            s.get(30, TimeUnit.SECONDS);
        }
    }

    /** Starts alpha, then beta, and waits until each group answers on its home node. */
    public void startSteady() throws IOException {
        start(ALPHA);
        start(BETA);
        awaitSteady(Duration.ofSeconds(20) .plusMillis(options.timers.initDeadMs()));
    }

    /**
     * Waits until each group runs on its home node only, each node heard its peer and no group
     * start or stop is in flight on a running node, then checks that this holds for half a second.
     */
    public void awaitSteady(Duration within) {
        for (String n : NODES) {
            awaitEvent(n, "NodeUp", within);
        }
        awaitCondition("each group on its home node only, no start or stop in flight", within,
                () -> homesServed() && groupOperationsIdle());
        holdsFor("each group stays on its home node", Duration.ofMillis(500), this::homesServed);
    }

    /** True if the journal shows each group running on its home node and nowhere else. */
    public boolean homesServed() {
        return GROUPS.stream().allMatch(g -> runningNow(g).equals(Set.of(homeOf(g))));
    }

    private static final Pattern OPERATION_BEGINS = Pattern.compile("group \\S+: (starting|stopping) \\[");
    private static final Pattern OPERATION_ENDS = Pattern.compile("group [^\\s:]+ (start|stop) ");

    /**
     * True if no running node has a group start or stop in flight: in the log of its current run,
     * GroupRunner's "group G: starting [..]" / "stopping [..]" lines are matched by as many
     * "group G start|stop ok|FAILED" lines.
     */
    public boolean groupOperationsIdle() {
        for (String n : NODES) {
            NodeProcess p = current.get(n);
            if (p == null || !p.isAlive()) {
                continue;
            }
            List<Path> logs = runLogs.get(n);
            String text;
            try {
                text = Files.readString(logs.get(logs.size() - 1), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long begun = text.lines().filter(l -> OPERATION_BEGINS.matcher(l).find()).count();
            long ended = text.lines().filter(l -> OPERATION_ENDS.matcher(l).find()).count();
            if (begun != ended) {
                return false;
            }
        }
        return true;
    }

    public NodeProcess node(String node) {
        NodeProcess p = current.get(node);
        if (p == null) {
            throw new IllegalStateException(node + " was never started");
        }
        return p;
    }

    /** Epoch millis just before the last start of {@code node}. */
    public long startedAt(String node) {
        return startedAtMillis.get(node);
    }

    /** Power loss: kill -9 of the daemon and all its services; waits until they are gone. */
    public void crash(String node) {
        NodeProcess p = node(node);
        p.killGroup9();
        if (!p.waitForExit(Duration.ofSeconds(10)) || !p.waitForGroupGone(Duration.ofSeconds(10))) {
            throw new AssertionError(node + " survived kill -9 of its group: " + p.groupMembers());
        }
    }

    /** kill -9 of the daemon JVM only; its services keep running. */
    public void crashDaemonOnly(String node) {
        NodeProcess p = node(node);
        p.killDaemon9();
        if (!p.waitForExit(Duration.ofSeconds(10))) {
            throw new AssertionError(node + "'s daemon survived kill -9");
        }
    }

    /** SIGTERM to the daemon (graceful handover); does not wait. */
    public void terminate(String node) {
        node(node).terminate();
    }

    public boolean awaitExit(String node, Duration within) {
        return node(node).waitForExit(within);
    }

    public void freeze(String node) {
        node(node).freeze();
    }

    public void resume(String node) {
        node(node).resume();
    }

    /** Resident memory (VmRSS) of the daemon JVM of {@code node}, in KiB. */
    public long residentKib(String node) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(node(node).pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + node);
    }

    // ------------------------------------------------------------------ logs

    /** Everything {@code node} logged, all runs joined in order. */
    public String logText(String node) {
        StringBuilder all = new StringBuilder();
        for (Path p : runLogs.get(node)) {
            try {
                if (Files.exists(p)) {
                    all.append(Files.readString(p, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toString();
    }

    public LogMark mark(String node) {
        return new LogMark(node, logText(node).length());
    }

    /** Lines of {@code node}'s log (all runs) matching {@code regex} (find, not whole-line match). */
    public List<String> logLines(String node, String regex) {
        return linesAfter(new LogMark(node, 0), regex);
    }

    public List<String> linesAfter(LogMark mark, String regex) {
        String text = logText(mark.node());
        Pattern p = Pattern.compile(regex);
        return text.substring(Math.min(mark.offset(), text.length())).lines().filter(l -> p.matcher(l).find())
                .collect(Collectors.toList());
    }

    /** Regex for a cluster event line of type {@code type} ({@code org.clusterd.events - TYPE message}). */
    public static String event(String type) {
        return "events - " + Pattern.quote(type) + "\\b";
    }

    /** Epoch millis of a log line (its leading ISO-8601 time stamp). */
    public static long timeOf(String logLine) {
        return java.time.OffsetDateTime.parse(logLine.substring(0, logLine.indexOf(' '))).toInstant().toEpochMilli();
    }

    public List<String> events(String node, String type) {
        return logLines(node, event(type));
    }

    public List<String> eventsAfter(LogMark mark, String type) {
        return linesAfter(mark, event(type));
    }

    /** A mark of each node's log, to check what happened after a fault began. */
    public Map<String, LogMark> markAll() {
        Map<String, LogMark> marks = new LinkedHashMap<>();
        NODES.forEach(n -> marks.put(n, mark(n)));
        return marks;
    }

    /**
     * Evidence that a node declared its peer dead after {@code mark}: a NodeDown event or a
     * TakeoverStarted because the peer was silent (a TakeoverStarted of a group the peer released
     * is a handover, not this).
     */
    public List<String> peerDeclaredDeadAfter(LogMark mark) {
        List<String> lines = new ArrayList<>(eventsAfter(mark, "NodeDown"));
        eventsAfter(mark, "TakeoverStarted").stream().filter(l -> l.contains("silent")).forEach(lines::add);
        return lines;
    }

    /** Fails if any node declared its peer dead or moved a group after {@code marks}. */
    public void assertNothingMovedAfter(Map<String, LogMark> marks) {
        for (LogMark m : marks.values()) {
            List<String> moves = new ArrayList<>(peerDeclaredDeadAfter(m));
            for (String type : List.of("TakeoverStarted", "HandoverStarted", "SplitBrain", "GroupStopped")) {
                moves.addAll(eventsAfter(m, type));
            }
            if (!moves.isEmpty()) {
                throw failure(m.node() + " moved or stopped a group: " + moves, null);
            }
        }
    }

    public String awaitLog(String node, String regex, Duration within) {
        return awaitLogAfter(new LogMark(node, 0), regex, within);
    }

    /** Waits for a line matching {@code regex} written after {@code mark}; returns it. */
    public String awaitLogAfter(LogMark mark, String regex, Duration within) {
        try {
            await(mark.node() + " logs /" + regex + "/").atMost(within).pollInterval(Duration.ofMillis(25))
                    .until(() -> !linesAfter(mark, regex).isEmpty());
        } catch (ConditionTimeoutException e) {
            throw failure(mark.node() + " did not log /" + regex + "/ within " + within, e);
        }
        return linesAfter(mark, regex).get(0);
    }

    public String awaitEvent(String node, String type, Duration within) {
        return awaitLog(node, event(type), within);
    }

    public String awaitEventAfter(LogMark mark, String type, Duration within) {
        return awaitLogAfter(mark, event(type), within);
    }

    // ------------------------------------------------------------------ services and the journal

    public Journal journal() {
        try {
            return Journal.read(journal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node answering on {@code group}'s port now, if any. */
    public Optional<String> whoServes(String group) {
        return ServiceProbe.who(servicePort(group)).map(ServiceProbe.Answer::node);
    }

    /** Nodes whose service of {@code group} is running now according to the journal (fresh ticks). */
    public Set<String> runningNow(String group) {
        long now = System.currentTimeMillis();
        return journal().intervals(group).stream()
                .filter(i -> !i.stopped() && i.endMillis() >= now - RUNNING_FRESHNESS_MILLIS)
                .map(Journal.Interval::node).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Waits until {@code node} answers for {@code group}; returns how long that took. */
    public Duration awaitServedBy(String group, String node, Duration within) {
        return ServiceProbe.awaitServedBy(servicePort(group), node, within)
                .map(ServiceProbe.Timed::after)
                .orElseThrow(() -> failure(group + " not served by " + node + " within " + within, null));
    }

    /** Waits until {@code node} is the only node running {@code group} and it answers. */
    public void awaitSoleServer(String group, String node, Duration within) {
        awaitCondition(group + " served by " + node + " only", within,
                () -> runningNow(group).equals(Set.of(node)) && whoServes(group).filter(node::equals).isPresent());
    }

    /** Waits until no node runs {@code group}... or fails. */
    public void awaitRunningOn(String group, Set<String> nodes, Duration within) {
        awaitCondition(group + " running on " + nodes, within, () -> runningNow(group).equals(nodes));
    }

    /** Waits until exactly one node runs each group; returns the owners. */
    public Map<String, String> awaitOneOwnerEach(Duration within) {
        awaitCondition("exactly one node runs each group", within,
                () -> GROUPS.stream().allMatch(g -> runningNow(g).size() == 1));
        Map<String, String> owners = new LinkedHashMap<>();
        GROUPS.forEach(g -> owners.put(g, runningNow(g).iterator().next()));
        return owners;
    }

    /** Fails unless {@code condition} stays true for the whole of {@code period}. */
    public void holdsFor(String description, Duration period, BooleanSupplier condition) {
        try {
            await(description).during(period).atMost(period.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw failure("not always true for " + period + ": " + description, e);
        }
    }

    public void awaitCondition(String description, Duration within, BooleanSupplier condition) {
        try {
            await(description).atMost(within).pollInterval(Duration.ofMillis(25)).until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw failure(description + ": not within " + within, e);
        }
    }

    /** Overlaps (two nodes serving one group at once) found in the journal, over all groups. */
    public List<Journal.Overlap> overlaps() {
        Journal j = journal();
        List<Journal.Overlap> all = new ArrayList<>();
        GROUPS.forEach(g -> all.addAll(j.overlaps(g)));
        return all;
    }

    /**
     * How long after {@code sinceMillis} the last overlap (of any group) ended: 0 if every overlap
     * ended before it, -1 if there was none at all.
     */
    public long overlapEndAfter(long sinceMillis) {
        List<Journal.Overlap> overlaps = overlaps();
        if (overlaps.isEmpty()) {
            return -1;
        }
        return Math.max(0, overlaps.stream().mapToLong(Journal.Overlap::endMillis).max().orElseThrow() - sinceMillis);
    }

    /** The safety invariant: no group was ever served by two nodes at once. */
    public void assertNeverTwoOwners() {
        List<Journal.Overlap> overlaps = overlaps();
        if (!overlaps.isEmpty()) {
            throw failure("a group ran on two nodes at once: " + overlaps, null);
        }
    }

    // ------------------------------------------------------------------ command line

    /** Runs {@code java -jar clusterd.jar ARGS... --config <node's config>} (bounded: 60 s). */
    public CliResult cli(String node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(NodeProcess.javaExecutable(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        command.add("--config");
        command.add(config(node).toString());
        Path out = Files.createTempFile(dir, "cli-", ".out");
        Path err = Files.createTempFile(dir, "cli-", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("clusterd " + String.join(" ", args) + " did not finish within 60 s");
        }
        CliResult r = new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** {@code clusterd status --json} of {@code node}, parsed. */
    public JsonNode status(String node) throws IOException, InterruptedException {
        CliResult r = cli(node, "status", "--json");
        if (r.exitCode() != 0) {
            throw new AssertionError("clusterd status --json for " + node + " failed: " + r);
        }
        return JSON.readTree(r.stdout());
    }

    // ------------------------------------------------------------------ diagnostics and clean-up

    /** What a failed assertion shows: who answers, the journal's last intervals, both logs' tails. */
    public String describe() {
        StringBuilder s = new StringBuilder("\n--- cluster in ").append(dir).append('\n');
        for (String g : GROUPS) {
            s.append(g).append(": answered by ").append(whoServes(g).orElse("nobody"))
                    .append(", running per journal on ").append(runningNow(g)).append('\n');
        }
        List<Journal.Interval> intervals = journal().intervals();
        s.append("journal intervals (last 12 of ").append(intervals.size()).append("):\n");
        intervals.subList(Math.max(0, intervals.size() - 12), intervals.size())
                .forEach(i -> s.append("  ").append(i).append('\n'));
        for (String n : NODES) {
            NodeProcess p = current.get(n);
            s.append("--- ").append(n).append(": ").append(p == null ? "never started" : p.toString()).append('\n');
            List<String> lines = logText(n).lines().collect(Collectors.toList());
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> s.append("  ").append(l).append('\n'));
        }
        return s.toString();
    }

    AssertionError failure(String message, Throwable cause) {
        String described;
        try {
            described = describe();
        } catch (RuntimeException e) {
            described = " (cannot describe the cluster: " + e + ")";
        }
        AssertionError error = new AssertionError(message + described);
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    @Override
    public void close() {
        List<NodeProcess> processes;
        synchronized (this) {
            processes = new ArrayList<>(everStarted);
        }
        for (NodeProcess p : processes) {
            try {
                p.close();
            } catch (RuntimeException e) {
                System.err.println("closing " + p + ": " + e);
            }
        }
        taps.forEach(DatagramTap::close);
        relays.forEach(LinkRelay::close);
        keepArtefacts();
    }

    private void keepArtefacts() {
        try {
            Path target = Path.of("target", "it-logs", options.name).toAbsolutePath();
            Files.createDirectories(target);
            List<Path> files = new ArrayList<>();
            runLogs.values().forEach(files::addAll);
            files.add(journal);
            NODES.forEach(n -> files.add(config(n)));
            for (Path f : files) {
                if (Files.exists(f)) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("cannot keep the artefacts of " + options.name + ": " + e);
        }
    }

    /** The first group of {@code regex} in the first line of {@code text} that has it. */
    static Optional<String> firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Optional.of(m.groupCount() > 0 ? m.group(1) : m.group()) : Optional.empty();
    }
}
