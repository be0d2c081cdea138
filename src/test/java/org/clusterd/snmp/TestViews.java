package org.clusterd.snmp;

import java.util.ArrayList;
import java.util.List;

import org.clusterd.view.ClusterView;

/**
 * Views of the two-node test cluster "office": nodes alpha (local) and beta, two links, four groups
 * and eight mirror sets (two per group), with values that exercise every column.
 */
final class TestViews {
    static final long T0 = 1_795_000_000_000L; // 2026-11-18

    private TestViews() {}

    static ClusterView sample() {
        List<ClusterView.NodeView> nodes = List.of(
                new ClusterView.NodeView("alpha", true, "ACTIVE", true, 0, false, 1_795_000_000_123L, 2),
                new ClusterView.NodeView("beta", false, "STANDBY", true, 420, true, 7_000_000_000_001L, 1));
        List<ClusterView.LinkView> links = List.of(
                new ClusterView.LinkView("crossover", "beta", true, "UP", 250, 123_456, 3, 2, "10.0.0.1:694", "10.0.0.2:694"),
                new ClusterView.LinkView("lan", "beta", false, "DOWN", -1, 0, 0, 5_000_000_000L, "192.168.1.11:694",
                        "192.168.1.12:694"));
        String[] groups = {"mail", "files", "web", "db"};
        List<ClusterView.GroupView> gs = new ArrayList<>();
        List<ClusterView.MirrorView> ms = new ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            boolean home = i % 2 == 0;
            gs.add(new ClusterView.GroupView(g, home ? "alpha" : "beta", i == 3 ? null : "alpha",
                    new String[] {"RUNNING", "RESYNC_BULK", "DECLINED", "IDLE"}[i], 10L + i,
                    i == 0 ? -1 : T0 - i * 60_000L, i, i == 2 ? "stopped by operator: naïve café ✓" : "OK"));
            for (int j = 0; j < 2; j++) {
                int k = i * 2 + j;
                ms.add(new ClusterView.MirrorView(g + "-m" + j, g, "/srv/" + g + "/data" + j,
                        new String[] {"OK", "FAILED", "RUNNING", "SKIPPED", "NEVER", "OK", "OK", "OK"}[k],
                        k == 4 ? -1 : T0 - k * 1_000L, k == 4 ? -1 : 30L * k, k, 1000L * k, 5_000_000_000L * k));
            }
        }
        return new ClusterView("office", "alpha", "ACTIVE", T0 + 5, new ClusterView.Stats("degraded", 17, 3, T0 - 90_000,
                T0 - 3_600_000), new ClusterView.TimersView(500, 1500, 3000, 10_000), nodes, links, gs, ms,
                new ClusterView.Endpoints(null, null, List.of(), null, null), List.of());
    }

    /** {@code v} with mirror set {@code name}'s lag set to {@code lagSeconds}. */
    static ClusterView withMirrorLag(ClusterView v, String name, long lagSeconds) {
        List<ClusterView.MirrorView> ms = v.mirrors().stream().map(m -> !m.name().equals(name) ? m
                : new ClusterView.MirrorView(m.name(), m.group(), m.path(), m.lastResult(), m.lastSuccess(), lagSeconds,
                        m.conflicts(), m.filesMoved(), m.bytesMoved())).toList();
        return new ClusterView(v.cluster(), v.node(), v.state(), v.generatedAtMillis(), v.stats(), v.timers(), v.nodes(),
                v.links(), v.groups(), ms, v.endpoints(), v.events());
    }

    /** {@code v} with group {@code name} owned by {@code owner}. */
    static ClusterView withOwner(ClusterView v, String name, String owner) {
        List<ClusterView.GroupView> gs = v.groups().stream().map(g -> !g.name().equals(name) ? g
                : new ClusterView.GroupView(g.name(), g.home(), owner, g.state(), g.generation() + 1, g.lastFailoverMillis(),
                        g.failoverCount() + 1, g.lastResult())).toList();
        return new ClusterView(v.cluster(), v.node(), v.state(), v.generatedAtMillis(), v.stats(), v.timers(), v.nodes(),
                v.links(), gs, v.mirrors(), v.endpoints(), v.events());
    }
}
