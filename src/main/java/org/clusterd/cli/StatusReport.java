package org.clusterd.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.clusterd.view.ClusterView;
import org.clusterd.view.ClusterView.EventView;
import org.clusterd.view.ClusterView.GroupView;
import org.clusterd.view.ClusterView.LinkView;
import org.clusterd.view.ClusterView.MirrorView;
import org.clusterd.view.ClusterView.NodeView;

/** {@code clusterd status} for people: a few aligned tables. A pure function of the view; times in UTC. */
final class StatusReport {
    static final int EVENTS_SHOWN = 10;

    private StatusReport() {}

    static String format(ClusterView v) {
        StringBuilder sb = new StringBuilder();
        ClusterView.Stats s = v.stats();
        sb.append("cluster ").append(v.cluster()).append(", node ").append(v.node()).append(": ").append(v.state());
        if (s != null) {
            sb.append(", cluster state ").append(s.clusterState())
                    .append(" (since ").append(time(s.startedAtMillis())).append(": state changes ").append(s.stateChanges())
                    .append(", failovers ").append(s.failovers()).append(')');
        }
        sb.append('\n').append("as of ").append(time(v.generatedAtMillis())).append("\n\n");

        Table nodes = new Table("NODE", "STATE", "ALIVE", "LAST HEARTBEAT", "STANDBY LOCK", "PING NODES", "INCARNATION");
        for (NodeView n : v.nodes()) {
            nodes.row(n.name() + (n.local() ? " (this node)" : ""), n.state(), yesNo(n.alive()),
                    n.local() ? "-" : ago(n.lastHeartbeatMillis()), yesNo(n.standbyLock()),
                    String.valueOf(n.pingReached()), String.valueOf(n.incarnation()));
        }
        nodes.appendTo(sb, "no nodes");

        Table links = new Table("LINK", "STATE", "LAST SEEN", "RECEIVED", "LOST", "REJECTED", "ADDRESSES");
        for (LinkView l : v.links()) {
            links.row(l.name(), l.state(), ago(l.lastSeenMillis()), String.valueOf(l.received()), String.valueOf(l.lost()),
                    String.valueOf(l.rejected()), l.localAddress() + " -> " + l.peerAddress());
        }
        links.appendTo(sb, "no links");

        Table groups = new Table("GROUP", "HOME", "OWNER", "STATE", "GENERATION", "FAILOVERS", "LAST RESULT");
        for (GroupView g : v.groups()) {
            groups.row(g.name(), g.home(), g.owner() != null ? g.owner() : "-", g.state(), String.valueOf(g.generation()),
                    String.valueOf(g.failoverCount()), g.lastResult());
        }
        groups.appendTo(sb, "no groups");

        Table mirrors = new Table("MIRROR", "GROUP", "PATH", "LAST RESULT", "LAST SUCCESS", "LAG", "CONFLICTS");
        for (MirrorView m : v.mirrors()) {
            mirrors.row(m.name(), m.group(), m.path(), m.lastResult(), m.lastSuccess() < 0 ? "never" : time(m.lastSuccess()),
                    m.lastSuccess() < 0 ? "-" : m.lagSeconds() + "s", String.valueOf(m.conflicts()));
        }
        mirrors.appendTo(sb, "no mirrors");

        List<EventView> events = new ArrayList<>(v.events());
        events.sort(Comparator.comparingLong(EventView::time)); // stable: equal times keep their order
        List<EventView> last = events.subList(Math.max(0, events.size() - EVENTS_SHOWN), events.size());
        sb.append(events.isEmpty() ? "EVENTS: none yet\n"
                : "EVENTS (last " + last.size() + " of " + events.size() + ")\n");
        Table table = new Table("TIME", "SEVERITY", "TYPE", "GROUP", "MESSAGE");
        for (EventView e : last) {
            table.row(time(e.time()), e.severity(), e.type(), e.group() != null ? e.group() : "-", e.message());
        }
        if (!last.isEmpty()) {
            table.appendTo(sb, "");
        }
        return sb.toString();
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? "-" : Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** "never" for -1, else "0.3s ago", "42s ago", "5m ago", "3h ago". */
    static String ago(long millis) {
        if (millis < 0) {
            return "never";
        }
        if (millis < 10_000) {
            return String.format(Locale.ROOT, "%.1fs ago", millis / 1000.0);
        }
        if (millis < 120_000) {
            return millis / 1000 + "s ago";
        }
        if (millis < 2 * 3_600_000) {
            return millis / 60_000 + "m ago";
        }
        return millis / 3_600_000 + "h ago";
    }

    /** One line per row and no terminal escapes, whatever the daemon put in a field. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == '\n' || c == '\r' || c == '\t') {
                b.append(' ');
            } else if (Character.isISOControl(c)) {
                b.append('?');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /** Left-aligned columns two spaces apart; the last column is not padded. */
    private static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = header;
        }

        void row(String... cells) {
            String[] r = new String[header.length];
            for (int i = 0; i < r.length; i++) {
                String c = i < cells.length ? cells[i] : null;
                r[i] = c == null ? "-" : printable(c);
            }
            rows.add(r);
        }

        void appendTo(StringBuilder sb, String whenEmpty) {
            if (rows.isEmpty()) {
                sb.append(whenEmpty).append("\n\n");
                return;
            }
            int[] width = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                width[i] = header[i].length();
                for (String[] r : rows) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            line(sb, header, width);
            for (String[] r : rows) {
                line(sb, r, width);
            }
            sb.append('\n');
        }

        private static void line(StringBuilder sb, String[] cells, int[] width) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                l.append(cells[i]);
                if (i < cells.length - 1) {
                    l.append(" ".repeat(width[i] - cells[i].length() + 2));
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
    }
}
