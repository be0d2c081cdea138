package org.clusterd.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.MachineSnapshot;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.LinkConfig;
import org.clusterd.heartbeat.LinkStats;
import org.clusterd.view.ClusterView;

/**
 * Builds the one {@link ClusterView} from the state machine's snapshot, the links' counters, the
 * event history and the mirror status. Also keeps the per-group failover counters, fed by events.
 */
final class ViewBuilder {
    private static final int EVENTS_IN_VIEW = 50;

    private final ClusterConfig config;
    private final long startedAtMillis;
    private final Map<String, long[]> failovers = new HashMap<>(); // group -> {count, lastMillis}
    private long totalFailovers;
    private volatile ClusterView.Endpoints endpoints = new ClusterView.Endpoints(null, null, List.of(), null, null);
    private volatile Supplier<List<ClusterView.MirrorView>> mirrors = List::of;

    ViewBuilder(ClusterConfig config, long startedAtMillis) {
        this.config = config;
        this.startedAtMillis = startedAtMillis;
    }

    void endpoints(ClusterView.Endpoints e) {
        this.endpoints = e;
    }

    void mirrors(Supplier<List<ClusterView.MirrorView>> m) {
        this.mirrors = m;
    }

    /** A group changed node: we took it over, or we handed it over. */
    void count(ClusterEvent e) {
        if (e instanceof ClusterEvent.TakeoverStarted || e instanceof ClusterEvent.HandoverCompleted) {
            long[] c = failovers.computeIfAbsent(e.group(), g -> new long[] {0, -1});
            c[0]++;
            c[1] = e.time();
            totalFailovers++;
        }
    }

    ClusterView build(MachineSnapshot snap, long now, List<LinkStats> linkStats, List<ClusterEvent> history,
                      long stateChanges) {
        List<ClusterView.NodeView> nodes = List.of(
                new ClusterView.NodeView(snap.node(), true, snap.state(), true, 0, snap.standbyLock(),
                        snap.incarnation(), snap.pingReached()),
                new ClusterView.NodeView(snap.peer().name(), false, snap.peer().state(), snap.peer().alive(),
                        snap.peer().lastHeardAgoMillis(), snap.peer().standbyLock(), snap.peer().incarnation(),
                        snap.peer().pingReached()));
        List<ClusterView.LinkView> links = new ArrayList<>();
        for (MachineSnapshot.LinkInfo l : snap.links()) {
            LinkStats st = linkStats.stream().filter(s -> s.name().equals(l.name())).findFirst().orElse(null);
            LinkConfig lc = config.links().stream().filter(c -> c.name().equals(l.name())).findFirst().orElseThrow();
            links.add(new ClusterView.LinkView(l.name(), snap.peer().name(), !l.state().equals("DOWN"), l.state(),
                    l.lastSeenAgoMillis(), st == null ? 0 : st.received(), st == null ? 0 : st.lost(),
                    st == null ? 0 : st.rejected(), address(lc.local()), address(lc.peer())));
        }
        List<ClusterView.GroupView> groups = snap.groups().stream().map(g -> {
            long[] c = failovers.getOrDefault(g.name(), new long[] {0, -1});
            return new ClusterView.GroupView(g.name(), g.home(), g.owner(), g.state(), g.generation(), c[1], c[0],
                    g.lastResult());
        }).toList();
        List<ClusterView.EventView> events = history.subList(Math.max(0, history.size() - EVENTS_IN_VIEW), history.size())
                .stream().map(e -> new ClusterView.EventView(e.time(), e.type(), e.severity().name(), e.node(), e.group(),
                        e.message())).toList();
        long lastChange = history.isEmpty() ? startedAtMillis : history.get(history.size() - 1).time();
        ClusterView.Stats stats = new ClusterView.Stats(clusterState(snap), stateChanges, totalFailovers, lastChange,
                startedAtMillis);
        ClusterView.TimersView timers = new ClusterView.TimersView(config.timers().heartbeatIntervalMs(),
                config.timers().warnMs(), config.timers().deadMs(), config.timers().initDeadMs());
        return new ClusterView(snap.cluster(), snap.node(), snap.state(), now, stats, timers, nodes, links, groups,
                mirrors.get(), endpoints, events);
    }

    private static String address(java.net.InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** normal, degraded, takeover, resync, standby or splitBrain: the worst that applies. */
    static String clusterState(MachineSnapshot snap) {
        if (snap.splitBrain()) {
            return "splitBrain";
        }
        if (snap.state().equals("STANDBY")) {
            return "standby";
        }
        if (snap.groups().stream().anyMatch(g -> g.state().startsWith("RESYNC"))) {
            return "resync";
        }
        boolean takeover = snap.groups().stream()
                .anyMatch(g -> snap.node().equals(g.owner()) && !g.home().equals(snap.node()));
        if (takeover && !snap.peer().alive()) {
            return "takeover";
        }
        if (!snap.peer().alive() || snap.links().stream().anyMatch(l -> !l.state().equals("UP"))) {
            return "degraded";
        }
        return takeover ? "degraded" : "normal";
    }
}
