package org.clusterd.control;

import java.util.ArrayList;
import java.util.List;
import org.clusterd.view.ClusterView;
import org.clusterd.view.ClusterView.Endpoints;
import org.clusterd.view.ClusterView.EventView;
import org.clusterd.view.ClusterView.GroupView;
import org.clusterd.view.ClusterView.LinkView;
import org.clusterd.view.ClusterView.MirrorView;
import org.clusterd.view.ClusterView.NodeView;
import org.clusterd.view.ClusterView.Stats;
import org.clusterd.view.ClusterView.TimersView;

/** A fixed, fully populated view: every record, nulls where the contract allows them, 12 events. */
public final class SampleViews {
    public static final long T0 = 1_790_000_000_000L; // 2026-09-21T...Z

    private SampleViews() {}

    public static ClusterView office() {
        List<EventView> events = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            events.add(new EventView(T0 + i * 1000L, i % 2 == 0 ? "LinkDown" : "LinkUp", i % 2 == 0 ? "WARNING" : "INFO",
                    "alpha", null, "event number " + i));
        }
        events.add(new EventView(T0 + 13_000, "TakeoverCompleted", "CRITICAL", "alpha", "files",
                "took over files from beta\nsecond line"));
        return new ClusterView("office", "alpha", "ACTIVE", T0 + 20_000,
                new Stats("degraded", 13, 1, T0 + 13_000, T0),
                new TimersView(500, 1500, 3000, 10_000),
                List.of(new NodeView("alpha", true, "ACTIVE", true, -1, false, 1111, 2),
                        new NodeView("beta", false, "DEAD", false, 42_000, true, 2222, 0)),
                List.of(new LinkView("crossover", "beta", false, "DOWN", 42_000, 1234, 17, 3, "10.0.0.1:694", "10.0.0.2:694"),
                        new LinkView("lan", "beta", true, "WARN", 300, 999, 0, 0, "192.168.1.11:694", "192.168.1.12:694")),
                List.of(new GroupView("mail", "alpha", "alpha", "RUNNING", 7, -1, 0, "OK"),
                        new GroupView("files", "beta", "alpha", "RUNNING", 12, T0 + 13_000, 1, "OK"),
                        new GroupView("print", "beta", null, "STOPPED", 3, -1, 0, null)),
                List.of(new MirrorView("maildata", "mail", "/var/mail", "OK", T0 + 15_000, 5, 0, 10, 2048),
                        new MirrorView("share", "files", "/srv/files", "NEVER", -1, 0, 0, 0, 0)),
                new Endpoints("http://127.0.0.1:8080", null, List.of("udp:192.168.1.5:162"), null, "tcp:127.0.0.1:7400"),
                events);
    }
}
