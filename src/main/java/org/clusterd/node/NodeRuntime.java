package org.clusterd.node;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.clusterd.cluster.ClusterAction;
import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.ClusterInput;
import org.clusterd.cluster.ClusterMachine;
import org.clusterd.cluster.Command;
import org.clusterd.cluster.MachineSnapshot;
import org.clusterd.cluster.PersistentState;
import org.clusterd.config.ClusterConfig;
import org.clusterd.heartbeat.HeartbeatTransport;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one event loop: reads the clock once per turn, feeds one input to the state machine,
 * carries out its actions, publishes a fresh {@link ClusterView}, then waits on its inbox at most
 * until the machine's next deadline. Heartbeats, group workers, ping checks and the views only post
 * to the inbox; nothing else touches the machine.
 */
public final class NodeRuntime implements ClusterService {
    private static final Logger log = LoggerFactory.getLogger(NodeRuntime.class);

    private final ClusterConfig config;
    private final NodeClock clock;
    private final HeartbeatTransport transport;
    private final StateStore store;
    private final StandbyLockFile lock;
    private final EventHub events;
    private final GroupWorkers workers;
    private final ViewBuilder views;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private ClusterMachine machine;
    private Thread loop;
    private long sequence;
    private volatile boolean running;
    private volatile ClusterView view;
    private volatile MachineSnapshot snapshot;
    private volatile java.util.function.Function<String, CommandResult> mirrorNow =
            set -> new CommandResult(false, "no mirror sets are configured on this node");

    /**
     * Runs the operator's mirror passes, so a long one holds no control worker past the command's
     * timeout (standby or failover must not wait behind it). One thread per set at most: a second
     * request for a set whose pass runs is answered at once.
     */
    private final java.util.concurrent.ExecutorService mirrorPasses = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mirror-now");
        t.setDaemon(true);
        return t;
    });

    private record CommandRequest(Command command, CompletableFuture<CommandResult> answer) {}

    public NodeRuntime(ClusterConfig config, NodeClock clock, HeartbeatTransport transport, ResyncHandler resync,
                       EventHub events) {
        this.config = config;
        this.clock = clock;
        this.transport = transport;
        this.store = new StateStore(config.stateDir());
        this.lock = new StandbyLockFile(config.stateDir());
        this.events = events;
        this.workers = new GroupWorkers(config, this::post, clock, resync);
        this.views = new ViewBuilder(config, System.currentTimeMillis());
    }

    private void post(Object item) {
        inbox.add(item);
    }

    /** Probes the resources, restores the state, opens the links and starts the loop. */
    public void start() throws IOException {
        java.nio.file.Files.createDirectories(config.stateDir(), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        PersistentState persisted = store.load();
        boolean locked = lock.present();
        Set<String> foundRunning = workers.probeRunning();
        long incarnation = Math.max(persisted.lastIncarnation() + 1, System.currentTimeMillis());
        long now = clock.millis();
        machine = new ClusterMachine(config, persisted, locked, foundRunning, incarnation, now);
        log.info("node {} of cluster {} starting: incarnation {}, state {}, standby lock {}, found running {}",
                config.localNode(), config.clusterName(), incarnation, store.file(), locked, foundRunning);
        transport.start((link, hb) -> post(new ClusterInput.HeartbeatReceived(0, link, hb)));
        running = true;
        carryOut(machine.start(), now, null);
        loop = new Thread(this::runLoop, "clusterd-loop");
        loop.start();
    }

    /** Posts a ping result (from the ping checker thread). */
    public void pingResult(int reached) {
        post(new ClusterInput.PingResult(0, reached));
    }

    private void runLoop() {
        try {
            while (running) {
                long wait = Math.max(0, machine.nextDeadline() - clock.millis());
                Object item = inbox.poll(wait, TimeUnit.MILLISECONDS);
                long now = clock.millis();
                CompletableFuture<CommandResult> answer = null;
                ClusterInput input;
                if (item == null) {
                    input = new ClusterInput.Tick(now);
                } else if (item instanceof CommandRequest req) {
                    input = new ClusterInput.Operator(now, req.command());
                    answer = req.answer();
                } else {
                    input = ((ClusterInput) item).at(now);
                }
                carryOut(machine.handle(input), now, answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("event loop failed; the node stops", e);
        } finally {
            running = false;
            exited.countDown();
        }
    }

    private void carryOut(List<ClusterAction> actions, long now, CompletableFuture<CommandResult> answer) {
        for (ClusterAction a : actions) {
            if (a instanceof ClusterAction.Persist p) {
                try {
                    store.save(p.state());
                } catch (IOException e) {
                    log.error("cannot persist {}: {} (the in-memory state stays authoritative; retried at the next change)",
                            store.file(), e.toString());
                }
            } else if (a instanceof ClusterAction.StartGroup s) {
                workers.start(s.group());
            } else if (a instanceof ClusterAction.StopGroup s) {
                log.info("stopping {}: {}", s.group(), s.reason());
                workers.stop(s.group());
            } else if (a instanceof ClusterAction.Resync r) {
                workers.resync(r.group(), r.phase(), r.toNode());
            } else if (a instanceof ClusterAction.SendHeartbeat) {
                transport.send(machine.heartbeat(++sequence, System.currentTimeMillis(), now));
            } else if (a instanceof ClusterAction.StandbyLock l) {
                try {
                    lock.set(l.present(), "entered standby");
                } catch (IOException e) {
                    log.error("cannot {} {}: {}", l.present() ? "write" : "remove", lock.path(), e.toString());
                }
            } else if (a instanceof ClusterAction.Emit e) {
                views.count(e.event());
                events.publish(e.event());
            } else if (a instanceof ClusterAction.Reply r) {
                if (answer != null) {
                    answer.complete(new CommandResult(r.accepted(), r.message()));
                    answer = null;
                }
            } else if (a instanceof ClusterAction.Exit) {
                log.info("every group is handed over; leaving");
                running = false;
            }
        }
        MachineSnapshot snap = machine.snapshot(now);
        snapshot = snap;
        workers.monitor(snap.groups().stream().filter(g -> g.state().equals("RUNNING"))
                .map(MachineSnapshot.GroupInfo::name).collect(Collectors.toSet()));
        view = views.build(snap, System.currentTimeMillis(), transport.stats(), events.history(), events.published());
    }

    void endpoints(ClusterView.Endpoints endpoints) {
        views.endpoints(endpoints);
    }

    void mirrors(java.util.function.Supplier<List<ClusterView.MirrorView>> mirrors,
                 java.util.function.Function<String, CommandResult> passNow) {
        views.mirrors(mirrors);
        this.mirrorNow = passNow;
    }

    /** The state machine's picture after the last turn of the loop (for guards such as the mirror's). */
    public MachineSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public ClusterView view() {
        return view;
    }

    @Override
    public CommandResult submit(Command command, Duration timeout) {
        if (command instanceof Command.MirrorNow m) {
            return mirrorPass(m.set(), timeout); // data, not cluster state: the mirror engine answers
        }
        if (!running) {
            return new CommandResult(false, "the node is shutting down");
        }
        CompletableFuture<CommandResult> answer = new CompletableFuture<>();
        post(new CommandRequest(command, answer));
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new CommandResult(false, "no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(false, "interrupted");
        } catch (ExecutionException e) {
            return new CommandResult(false, e.getCause().toString());
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<ClusterEvent> listener) {
        return events.subscribe(listener);
    }

    /** Graceful stop: hands every group to the peer, waits at most {@code limit} for the loop to end. */
    public boolean shutdown(Duration limit) {
        if (running) {
            post(new CommandRequest(new Command.Shutdown(), new CompletableFuture<>()));
        }
        try {
            return exited.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Blocks until the loop has ended (graceful leave or a fatal error). */
    public void awaitExit() throws InterruptedException {
        exited.await();
    }

    private CommandResult mirrorPass(String set, Duration timeout) {
        CompletableFuture<CommandResult> pass;
        try {
            pass = CompletableFuture.supplyAsync(() -> mirrorNow.apply(set), mirrorPasses);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return new CommandResult(false, "the node is shutting down");
        }
        try {
            return pass.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new CommandResult(true, "mirror " + set + ": the pass is still running after " + timeout.toSeconds()
                    + " s; it goes on, and clusterd status shows its result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(false, "interrupted");
        } catch (ExecutionException e) {
            return new CommandResult(false, e.getCause().toString());
        }
    }

    /** Releases threads and sockets; after the loop ended. */
    public void close() {
        running = false;
        mirrorPasses.shutdownNow();
        if (loop != null) {
            loop.interrupt();
        }
        workers.close();
        transport.close();
    }

    @Override
    public String toString() {
        return "node " + config.localNode() + " links " + config.links().stream().map(l -> l.name() + "@" + l.local()).toList();
    }
}
