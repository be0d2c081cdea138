package org.clusterd.mirror;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.clusterd.cluster.ResyncPhase;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.MirrorConfig;
import org.clusterd.config.MirrorSetConfig;
import org.clusterd.view.ClusterView;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror engine as the daemon sees it. {@link #start()} starts the TLS server that receives the
 * peer's passes and a Quartz scheduler (RAMJobStore) with one {@link MirrorJob} per set on its cron
 * schedule; a misfired run fires once as soon as possible. A scheduled pass runs only while {@link
 * MirrorGuard#mayPush} says this node owns the group and runs it normally; {@link #resync} runs all
 * sets of a group now for the daemon's resync, whatever the schedule. A set never has two passes, or
 * a pass and an incoming session, at once. Everything it notices goes to the event consumer.
 *
 * <p>State it keeps under {@code stateDir/mirror}: the manifests ({@code SET.manifest}), an append
 * journal while an append runs, scan files during a pass; and the trash in {@code stateDir/mirror-trash}.
 */
public final class MirrorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MirrorService.class);
    static final int DEFAULT_TIMEOUT_MS = 120_000;
    static final int MAX_SESSIONS = 4;
    /** Passes after the first for paths that changed under it ("leave it and rescan"); each moves only those. */
    static final int RESCANS = 2;
    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

    private final ClusterConfig config;
    private final MirrorEngine engine;
    private final Map<String, SetState> states = new LinkedHashMap<>();
    private final Consumer<MirrorEvent> events;
    private final LongSupplier clock;
    private final MirrorGuard guard;
    private SSLServerSocket server;
    private Thread acceptor;
    private ThreadPoolExecutor sessions;
    private Scheduler scheduler;
    private volatile boolean closed;

    /** The status of one set as {@link #status()} shows it. */
    private static final class SetState {
        final MirrorSetConfig set;
        final String group;
        volatile String lastResult = "NEVER";
        volatile long lastSuccess = -1;
        volatile long lastSuccessDataTime = -1;
        volatile long conflicts;
        volatile long filesMoved;
        volatile long bytesMoved;
        volatile String lastReason = "";
        SetStatusFile file;

        SetState(MirrorSetConfig set, String group) {
            this.set = set;
            this.group = group;
        }

        /** Takes what an earlier run of the daemon saved after its last pass. */
        void restore(SetStatusFile from) {
            file = from;
            SetStatusFile.Saved s = from.load();
            if (s != null) {
                lastResult = s.lastResult();
                lastSuccess = s.lastSuccess();
                lastSuccessDataTime = s.lastSuccessDataTime();
                conflicts = s.conflicts();
                filesMoved = s.filesMoved();
                bytesMoved = s.bytesMoved();
            }
        }

        void save() {
            file.save(new SetStatusFile.Saved(lastResult, lastSuccess, lastSuccessDataTime, conflicts, filesMoved,
                    bytesMoved));
        }
    }

    public MirrorService(ClusterConfig config, MirrorGuard guard, Consumer<MirrorEvent> events) throws IOException {
        this(config, guard, events, System::currentTimeMillis, DEFAULT_TIMEOUT_MS);
    }

    /**
     * @param clock epoch milliseconds, for status times and names
     * @param timeoutMs how long to wait for the peer at any step
     */
    public MirrorService(ClusterConfig config, MirrorGuard guard, Consumer<MirrorEvent> events, LongSupplier clock,
                         int timeoutMs) throws IOException {
        this.config = config;
        this.guard = guard;
        this.events = events;
        this.clock = clock;
        Map<String, MirrorSetConfig> sets = new LinkedHashMap<>();
        Map<String, String> groupOf = new LinkedHashMap<>();
        for (GroupConfig g : config.groups()) {
            for (MirrorSetConfig s : g.mirrors()) {
                sets.put(s.name(), s);
                groupOf.put(s.name(), g.name());
                states.put(s.name(), new SetState(s, g.name()));
            }
        }
        if (!sets.isEmpty() && config.mirror().isEmpty()) {
            throw new IllegalArgumentException("mirror sets are configured but the mirror section is missing");
        }
        SSLContext tls = null;
        InetSocketAddress peer = null;
        long trashMax = MirrorConfig.DEFAULT_TRASH_MAX_BYTES;
        if (config.mirror().isPresent()) {
            MirrorConfig m = config.mirror().get();
            tls = MirrorTls.context(m.keystore(), m.truststore(), m.passwordFile());
            peer = m.peer();
            trashMax = m.trashMaxBytes();
        }
        ManifestStore manifests = new ManifestStore(config.stateDir().resolve("mirror"));
        for (SetState st : states.values()) {
            st.restore(new SetStatusFile(manifests.dir(), st.set.name()));
        }
        Trash trash = new Trash(config.stateDir().resolve("mirror-trash"), trashMax);
        this.engine = new MirrorEngine(config.clusterName(), config.localNode(), config.peerNode(), sets, groupOf, guard,
                manifests, trash, this::emit, tls, peer, clock, timeoutMs);
    }

    private void emit(MirrorEvent e) {
        log.info("Mirror event: {}", e);
        if (e instanceof MirrorEvent.MirrorReceived r) {
            received(r);
        }
        events.accept(e);
    }

    /** This node's copy is the owner's data as of {@code r.dataTime()}: what its lag counts from, here and after a takeover. */
    private void received(MirrorEvent.MirrorReceived r) {
        SetState st = states.get(r.set());
        if (st != null) {
            st.lastSuccess = r.time();
            st.lastSuccessDataTime = r.dataTime();
            st.save();
        }
    }

    /** Starts the TLS server for the peer's passes and the schedules. */
    public synchronized void start() throws IOException {
        if (config.mirror().isEmpty()) {
            log.info("No mirror section: mirroring is off");
            return;
        }
        for (SetState s : states.values()) {
            // before this node can serve a set: no half append, no stray temporary files
            new AppendJournal(engine.manifests().dir(), s.set.name(), s.set.path()).recoverAtStart();
            InterruptedSessions.afterRestart(engine.manifests().dir(), s.set.name(), s.set.path());
        }
        server = MirrorTls.listen(engineTls(), config.mirror().get().listen());
        sessions = new ThreadPoolExecutor(1, MAX_SESSIONS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_SESSIONS),
                r -> {
                    Thread t = new Thread(r, "mirror-session");
                    t.setDaemon(true);
                    return t;
                });
        acceptor = new Thread(this::acceptLoop, "mirror-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        startScheduler();
        log.info("Mirror service started: {}", describe());
    }

    private SSLContext engineTls() throws IOException {
        MirrorConfig m = config.mirror().orElseThrow();
        return MirrorTls.context(m.keystore(), m.truststore(), m.passwordFile());
    }

    private void startScheduler() throws IOException {
        if (states.isEmpty()) {
            return;
        }
        Properties p = new Properties();
        // unique per instance: Quartz hands out an existing scheduler of the same name
        p.setProperty("org.quartz.scheduler.instanceName", "clusterd-mirror-" + config.localNode() + "-"
                + INSTANCES.incrementAndGet());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.min(4, states.size())));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        try {
            scheduler = new StdSchedulerFactory(p).getScheduler();
            scheduler.getContext().put(MirrorJob.SERVICE, this);
            for (SetState s : states.values()) {
                JobDetail job = JobBuilder.newJob(MirrorJob.class).withIdentity(s.set.name(), "mirror")
                        .usingJobData(MirrorJob.SET, s.set.name()).storeDurably().build();
                Trigger trigger = TriggerBuilder.newTrigger().withIdentity(s.set.name(), "mirror")
                        .withSchedule(CronScheduleBuilder.cronSchedule(s.set.schedule())
                                .withMisfireHandlingInstructionFireAndProceed())
                        .build();
                scheduler.scheduleJob(job, trigger);
            }
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IOException("cannot start the mirror schedules: " + e.getMessage(), e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("Mirror server accept failed: {}", e.toString());
                }
                continue;
            }
            try {
                sessions.execute(() -> session(s));
            } catch (RejectedExecutionException e) {
                engine.counters().sessionsRefused.incrementAndGet();
                log.warn("Refusing mirror connection from {}: too many sessions", s.getRemoteSocketAddress());
                closeQuietly(s);
            }
        }
    }

    private void session(Socket s) {
        String remote = String.valueOf(s.getRemoteSocketAddress());
        try {
            // Frames are buffered and flushed when a side waits for an answer; with Nagle's algorithm a
            // flushed small frame (HELLO, SCAN_END, BYE) waited for the delayed ACK of the one before:
            // 40 ms at each turn of the conversation, a sixth of a pass with nothing to do
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            ((SSLSocket) s).startHandshake();
            s.setSoTimeout(engineTimeout());
        } catch (SSLException | SocketException e) {
            engine.counters().tlsRefused.incrementAndGet();
            log.warn("Mirror connection from {} refused in the TLS handshake: {}", remote, e.getMessage());
            emit(new MirrorEvent.PeerRefused(clock.getAsLong(), remote, "TLS: " + e.getMessage()));
            closeQuietly(s);
            return;
        } catch (IOException e) {
            engine.counters().tlsRefused.incrementAndGet();
            log.warn("Mirror connection from {} failed in the TLS handshake: {}", remote, e.toString());
            closeQuietly(s);
            return;
        }
        new Receiver(engine, s).run();
    }

    private int engineTimeout() {
        return engine.timeoutMs();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("close", e);
        }
    }

    private static String notPushed(SetState st) {
        return "this node does not run group " + st.group + " normally, or the peer is down or in standby";
    }

    /** Called by the set's Quartz job. */
    void scheduledPass(String set) {
        SetState st = states.get(set);
        if (st == null || closed) {
            return;
        }
        if (!guard.mayPush(st.group)) {
            log.debug("Mirror set {}: skipped, {}", set, notPushed(st));
            st.lastResult = "SKIPPED";
            st.lastReason = notPushed(st);
            return;
        }
        runPass(st, false);
    }

    /** Triggers a pass of {@code set} now (asynchronously, through its Quartz job), if this node may push it. */
    public void mirrorNow(String set) {
        if (!states.containsKey(set)) {
            throw new IllegalArgumentException("no mirror set '" + set + "'");
        }
        try {
            if (scheduler == null) {
                throw new IllegalStateException("the mirror service is not started");
            }
            scheduler.triggerJob(new JobKey(set, "mirror"));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot trigger mirror set " + set + ": " + e.getMessage(), e);
        }
    }

    /** A pass of {@code set} now, blocking, if this node may push it (for the CLI and tests). */
    public PassResult passNow(String set) {
        SetState st = states.get(set);
        if (st == null) {
            throw new IllegalArgumentException("no mirror set '" + set + "'");
        }
        if (!guard.mayPush(st.group)) {
            st.lastResult = "SKIPPED";
            return PassResult.skipped(set, notPushed(st));
        }
        return runPass(st, false);
    }

    /**
     * Mirrors every set of {@code group} to the peer now, ignoring schedules but keeping every other
     * rule (deletion proofs, mass-deletion guard, markers). Blocks until done.
     */
    public ResyncResult resync(String group, ResyncPhase phase) {
        List<PassResult> results = new ArrayList<>();
        for (SetState st : states.values()) {
            if (st.group.equals(group)) {
                results.add(runPass(st, true));
            }
        }
        // the final pass runs with the group stopped on both nodes: a path left out there would be
        // missing when the home node starts the group, so it fails the resync (the group stays here)
        boolean ok = results.stream().allMatch(phase == ResyncPhase.FINAL ? PassResult::complete : PassResult::ok);
        String detail = results.stream().filter(r -> !r.complete()).map(r -> r.set() + ": " + r.reason())
                .reduce((a, b) -> a + "; " + b).orElse(results.size() + " set(s) mirrored");
        return new ResyncResult(group, phase, ok, detail, results);
    }

    private PassResult runPass(SetState st, boolean wait) {
        String set = st.set.name();
        if (engine.set(set) == null || config.mirror().isEmpty()) {
            return PassResult.skipped(set, "mirroring is not configured");
        }
        ReentrantLock lock = engine.lock(set);
        try {
            if (wait ? !lock.tryLock(engine.timeoutMs(), TimeUnit.MILLISECONDS) : !lock.tryLock()) {
                return PassResult.skipped(set, "a pass or an incoming session of this set is running");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PassResult.skipped(set, "interrupted");
        }
        long dataTime = clock.getAsLong();
        st.lastResult = "RUNNING";
        try {
            PassResult r = new Sender(engine, set).run();
            for (int again = 0; again < RESCANS && r.ok() && r.changedDuringPass() > 0; again++) {
                log.info("Mirror set {}: {} path(s) changed during the pass; scanning again for them", set,
                        r.changedDuringPass());
                long start = clock.getAsLong();
                r = r.then(new Sender(engine, set).run());
                dataTime = start;
            }
            st.conflicts = r.conflicts();
            st.filesMoved = r.filesMoved();
            st.bytesMoved = r.bytesMoved();
            st.lastReason = r.reason();
            if (r.ok()) {
                st.lastResult = "OK";
                st.lastSuccess = clock.getAsLong();
                if (r.complete()) {
                    st.lastSuccessDataTime = dataTime; // the lag counts from the last pass that left nothing out
                }
                emit(new MirrorEvent.MirrorCompleted(clock.getAsLong(), set, st.group, r.filesMoved(), r.bytesMoved(),
                        r.conflicts(), r.millis()));
            } else {
                st.lastResult = r.status() == PassResult.Status.SKIPPED ? "SKIPPED" : "FAILED";
                if (r.status() == PassResult.Status.FAILED) {
                    emit(new MirrorEvent.MirrorFailed(clock.getAsLong(), set, st.group, r.reason()));
                }
            }
            st.save();
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** Each set as the status page, SNMP and JMX show it. */
    public List<ClusterView.MirrorView> status() {
        long now = clock.getAsLong();
        List<ClusterView.MirrorView> out = new ArrayList<>();
        for (SetState s : states.values()) {
            long lag = s.lastSuccessDataTime < 0 ? -1 : Math.max(0, (now - s.lastSuccessDataTime) / 1000);
            out.add(new ClusterView.MirrorView(s.set.name(), s.group, s.set.path().toString(), s.lastResult,
                    s.lastSuccess, lag, s.conflicts, s.filesMoved, s.bytesMoved));
        }
        return out;
    }

    /** Why the last pass of {@code set} failed or was skipped; empty if it did not. */
    public String lastReason(String set) {
        SetState s = states.get(set);
        return s == null ? "" : s.lastReason;
    }

    /** What the mirror port refused since start. */
    public Counters counters() {
        return engine.counters();
    }

    /** The address the server listens on (with the real port if the config said 0); null before start. */
    public InetSocketAddress listenAddress() {
        return server == null ? null : (InetSocketAddress) server.getLocalSocketAddress();
    }

    public String describe() {
        return "mirror[listen=" + listenAddress() + " peer=" + config.mirror().map(MirrorConfig::peer).orElse(null)
                + " sets=" + states.keySet() + " " + engine.counters() + "]";
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            try {
                scheduler.shutdown(true);
            } catch (SchedulerException e) {
                log.warn("Stopping the mirror schedules: {}", e.toString());
            }
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                log.debug("close", e);
            }
        }
        if (acceptor != null) {
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (sessions != null) {
            sessions.shutdownNow();
            try {
                sessions.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
