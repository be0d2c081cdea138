package org.clusterd.node;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.clusterd.cluster.ClusterInput;
import org.clusterd.cluster.ResyncPhase;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.ResourceConfig;
import org.clusterd.resource.GroupResult;
import org.clusterd.resource.GroupRunner;
import org.clusterd.resource.MonitorResult;
import org.clusterd.resource.ProbeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out group operations off the event loop: one worker thread per group, so a group's start,
 * stop, resync and monitor checks run one after another in the order decided, while groups proceed
 * independently. Results come back to the loop as inputs.
 */
final class GroupWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupWorkers.class);

    private final Map<String, GroupRunner> runners = new LinkedHashMap<>();
    private final Map<String, ExecutorService> workers = new HashMap<>();
    private final Map<String, Long> monitorIntervals = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> monitors = new HashMap<>();
    private final ScheduledExecutorService monitorTimer;
    private final Consumer<ClusterInput> inbox;
    private final NodeClock clock;
    private final ResyncHandler resync;

    GroupWorkers(ClusterConfig config, Consumer<ClusterInput> inbox, NodeClock clock, ResyncHandler resync) {
        this.inbox = inbox;
        this.clock = clock;
        this.resync = resync;
        Map<String, String> env = NodeEnvironment.of(config);
        for (GroupConfig g : config.groups()) {
            runners.put(g.name(), new GroupRunner(g, env));
            workers.put(g.name(), Executors.newSingleThreadExecutor(r -> daemonThread(r, "clusterd-group-" + g.name())));
            long interval = g.resources().stream().mapToLong(ResourceConfig::monitorIntervalMs).min()
                    .orElse(config.failurePolicy().monitorIntervalMs());
            monitorIntervals.put(g.name(), interval);
        }
        this.monitorTimer = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "clusterd-monitor"));
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Which groups have resources running now (before the daemon decides anything). */
    Set<String> probeRunning() {
        Set<String> running = new TreeSet<>();
        runners.forEach((name, runner) -> {
            ProbeResult p = runner.probe();
            if (!p.allStopped()) {
                log.warn("probe at start-up: {}", p);
                running.add(name);
            }
        });
        return running;
    }

    void start(String group) {
        workers.get(group).execute(() -> {
            GroupResult r = runners.get(group).start();
            inbox.accept(new ClusterInput.StartDone(clock.millis(), group, r.ok(), r.toString()));
        });
    }

    void stop(String group) {
        workers.get(group).execute(() -> {
            GroupResult r = runners.get(group).stop();
            inbox.accept(new ClusterInput.StopDone(clock.millis(), group, r.ok(), r.toString()));
        });
    }

    void resync(String group, ResyncPhase phase, String toNode) {
        workers.get(group).execute(() -> {
            ResyncHandler.Result r;
            try {
                r = resync.resync(group, phase, toNode);
            } catch (RuntimeException e) {
                r = new ResyncHandler.Result(false, e.toString());
            }
            inbox.accept(new ClusterInput.ResyncDone(clock.millis(), group, phase, r.ok(), r.detail()));
        });
    }

    /** Keeps a periodic status check running for exactly the groups running here. */
    synchronized void monitor(Set<String> running) {
        monitors.entrySet().removeIf(e -> {
            if (!running.contains(e.getKey())) {
                e.getValue().cancel(false);
                return true;
            }
            return false;
        });
        for (String g : running) {
            if (!monitors.containsKey(g) && runners.containsKey(g)) {
                long every = monitorIntervals.get(g);
                monitors.put(g, monitorTimer.scheduleWithFixedDelay(() -> check(g), every, every, TimeUnit.MILLISECONDS));
            }
        }
    }

    private void check(String group) {
        workers.get(group).execute(() -> {
            synchronized (this) {
                if (!monitors.containsKey(group)) {
                    return; // the group stopped meanwhile
                }
            }
            MonitorResult r = runners.get(group).check();
            if (!r.ok()) {
                String resource = r.firstNotRunning().map(s -> s.resource()).orElse("?");
                inbox.accept(new ClusterInput.MonitorFailed(clock.millis(), group, resource, r.toString()));
            }
        });
    }

    @Override
    public void close() {
        monitorTimer.shutdownNow();
        workers.values().forEach(ExecutorService::shutdown);
        for (ExecutorService w : workers.values()) {
            try {
                if (!w.awaitTermination(5, TimeUnit.SECONDS)) {
                    w.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.shutdownNow();
            }
        }
    }
}
