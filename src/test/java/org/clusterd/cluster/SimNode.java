package org.clusterd.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.clusterd.config.ClusterConfig;

/**
 * One simulated node: a {@link ClusterMachine} plus what survives it (its disk: persisted state and
 * standby lock) and what the world sees (which groups' services really run). Resource operations and
 * resyncs take simulated time; a frozen node queues its inputs like a stopped process's sockets do.
 */
final class SimNode {
    final String name;
    final ClusterConfig config;
    final SimCluster sim;
    ClusterMachine machine;
    PersistentState disk = PersistentState.EMPTY;
    boolean lockFile;
    boolean frozen;
    long incarnations;
    long sequence;
    long tickToken;
    final Set<String> running = new TreeSet<>();
    final Set<String> failStart = new HashSet<>();
    final Set<String> failStop = new HashSet<>();
    /** How many more resync passes fail (the peer's mirror service not listening yet, say). */
    int failResyncs;
    final Map<String, Long> groupBusyUntil = new HashMap<>();
    final Deque<ClusterInput> inbox = new ArrayDeque<>();
    final List<ClusterEvent> events = new ArrayList<>();
    final List<String> replies = new ArrayList<>();
    final Map<String, Long> maxGeneration = new HashMap<>();
    boolean exited;
    long powerEpoch;

    SimNode(SimCluster sim, ClusterConfig config) {
        this.sim = sim;
        this.config = config;
        this.name = config.localNode();
    }

    boolean up() {
        return machine != null;
    }

    /** Starts the daemon; services left running (daemon-only crash) are found by the start-up probe. */
    void boot() {
        exited = false;
        incarnations++;
        machine = new ClusterMachine(config, disk, lockFile, Set.copyOf(running), incarnations, sim.now);
        groupBusyUntil.clear();
        inbox.clear();
        carryOut(machine.start());
    }

    /** Power loss: the daemon and every service it started die at once. */
    void powerOff() {
        powerEpoch++;
        machine = null;
        frozen = false;
        running.clear();
        inbox.clear();
    }

    /** The daemon alone dies; its services go on unsupervised. */
    void crashDaemon() {
        machine = null;
        frozen = false;
        inbox.clear();
    }

    void freeze() {
        frozen = true;
    }

    void resume() {
        frozen = false;
        while (!inbox.isEmpty() && up() && !frozen) {
            ClusterInput queued = inbox.poll();
            deliver(queued.at(sim.now));
        }
        if (up()) {
            deliver(new ClusterInput.Tick(sim.now));
        }
    }

    /** Feeds an input to the machine now (or queues it while frozen). */
    void deliver(ClusterInput input) {
        if (!up()) {
            return;
        }
        if (frozen) {
            inbox.add(input);
            return;
        }
        carryOut(machine.handle(input));
    }

    void command(Command c) {
        deliver(new ClusterInput.Operator(sim.now, c));
    }

    private void carryOut(List<ClusterAction> actions) {
        ClusterMachine current = machine;
        for (ClusterAction a : actions) {
            if (machine != current) {
                return;
            }
            if (a instanceof ClusterAction.Persist p) {
                persist(p.state());
            } else if (a instanceof ClusterAction.StartGroup s) {
                runOp(s.group(), sim.startMillis, () -> {
                    boolean ok = !failStart.contains(s.group());
                    if (!ok) {
                        running.remove(s.group());
                    }
                    return new ClusterInput.StartDone(sim.now, s.group(), ok, ok ? "ok" : "injected failure");
                }, () -> running.add(s.group()));
            } else if (a instanceof ClusterAction.StopGroup s) {
                runOp(s.group(), sim.stopMillis, () -> {
                    boolean ok = !failStop.contains(s.group());
                    if (ok) {
                        running.remove(s.group());
                    }
                    return new ClusterInput.StopDone(sim.now, s.group(), ok, ok ? "ok" : "injected failure");
                }, () -> { });
            } else if (a instanceof ClusterAction.Resync r) {
                runOp(r.group(), sim.resyncMillis, () -> {
                    boolean ok = failResyncs <= 0;
                    failResyncs--;
                    return new ClusterInput.ResyncDone(sim.now, r.group(), r.phase(), ok, ok ? "ok" : "injected failure");
                }, () -> { });
            } else if (a instanceof ClusterAction.SendHeartbeat) {
                sim.net.send(this, machine.heartbeat(++sequence, sim.now, sim.now));
            } else if (a instanceof ClusterAction.StandbyLock l) {
                lockFile = l.present();
            } else if (a instanceof ClusterAction.Emit e) {
                events.add(e.event());
                sim.trace(name + " event " + e.event().type() + ": " + e.event().message());
            } else if (a instanceof ClusterAction.Reply r) {
                replies.add((r.accepted() ? "OK " : "NO ") + r.message());
            } else if (a instanceof ClusterAction.Exit) {
                sim.check(running.isEmpty(), name + " exits gracefully while still running " + running);
                machine = null;
                exited = true;
                return;
            }
        }
        scheduleTick();
    }

    private void persist(PersistentState state) {
        for (Map.Entry<String, PersistentState.GroupRecord> e : state.groups().entrySet()) {
            long before = maxGeneration.getOrDefault(e.getKey(), 0L);
            sim.check(e.getValue().generation() >= before,
                    name + " generation of " + e.getKey() + " went back from " + before + " to " + e.getValue().generation());
            maxGeneration.put(e.getKey(), e.getValue().generation());
        }
        disk = state;
    }

    /** Resource operations of one group run one after another, as on the real node's per-group worker. */
    private void runOp(String group, long duration, java.util.function.Supplier<ClusterInput> finish, Runnable begin) {
        long startAt = Math.max(sim.now, groupBusyUntil.getOrDefault(group, sim.now));
        long doneAt = startAt + duration;
        groupBusyUntil.put(group, doneAt);
        ClusterMachine owner = machine;
        long power = powerEpoch;
        sim.at(startAt, () -> {
            if (power == powerEpoch) {
                begin.run();
            }
        });
        sim.at(doneAt, () -> {
            if (power != powerEpoch) {
                return; // the power went off: the operation died with the services
            }
            ClusterInput result = finish.get(); // a daemon crash leaves the operation to finish its effect
            if (machine == owner) {
                deliver(result);
            }
        });
    }

    private void scheduleTick() {
        if (machine == null) {
            return;
        }
        long token = ++tickToken;
        long when = machine.nextDeadline();
        sim.at(when, () -> {
            if (token == tickToken && up() && !frozen) {
                deliver(new ClusterInput.Tick(sim.now));
            }
        });
    }

    String state() {
        return machine == null ? (exited ? "EXITED" : "DOWN") : machine.snapshot(sim.now).state();
    }

    String phase(String group) {
        if (machine == null) {
            return "DOWN";
        }
        return machine.snapshot(sim.now).groups().stream().filter(g -> g.name().equals(group))
                .findFirst().orElseThrow().state();
    }

    long generation(String group) {
        return machine.snapshot(sim.now).groups().stream().filter(g -> g.name().equals(group))
                .findFirst().orElseThrow().generation();
    }

    List<String> eventTypes() {
        return events.stream().map(ClusterEvent::type).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return name + "(" + state() + (frozen ? ",frozen" : "") + " running=" + running + ")";
    }
}
