package org.clusterd.snmp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.clusterd.view.ClusterView;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;

/**
 * CLUSTERD-MIB ({@code mibs/CLUSTERD-MIB.txt}) as code: its OIDs, and {@link #render} which turns one
 * {@link ClusterView} into every instance the agent serves, sorted by OID. Pure: the same view, row
 * numbers and agent start time give the same values.
 *
 * <pre>
 * clusterdMIB            1.3.6.1.4.1.32473.1  (32473: RFC 5612's number for documentation)
 *   .0   clusterdNotifications   .0.1 .. .0.26, one per event type
 *   .1   clusterdObjects
 *     .1.1 clusterdCluster        scalars .1 .. .9 (name, local node, states, counters, times)
 *     .1.2 clusterdTimers         scalars .1 .. .4 (milliseconds)
 *     .1.3 clusterdNodeTable      .1.3.1.COLUMN.INDEX
 *     .1.4 clusterdLinkTable
 *     .1.5 clusterdGroupTable
 *     .1.6 clusterdMirrorTable
 *     .1.7 clusterdEventObjects   (accessible-for-notify: carried by notifications only)
 *   .2   clusterdConformance
 *   .3   clusterdProducts        .3.1 clusterdAgent (sysObjectID)
 * </pre>
 */
final class ClusterMib {
    static final OID MIB = new OID("1.3.6.1.4.1.32473.1");
    static final OID NOTIFICATIONS = child(MIB, 0);
    static final OID OBJECTS = child(MIB, 1);
    static final OID AGENT = new OID("1.3.6.1.4.1.32473.1.3.1");

    static final OID CLUSTER = child(OBJECTS, 1);
    static final OID TIMERS = child(OBJECTS, 2);
    static final OID NODE_ENTRY = new OID("1.3.6.1.4.1.32473.1.1.3.1");
    static final OID LINK_ENTRY = new OID("1.3.6.1.4.1.32473.1.1.4.1");
    static final OID GROUP_ENTRY = new OID("1.3.6.1.4.1.32473.1.1.5.1");
    static final OID MIRROR_ENTRY = new OID("1.3.6.1.4.1.32473.1.1.6.1");
    static final OID EVENT_OBJECTS = child(OBJECTS, 7);

    /** Columns of the tables that are readable (column 1, the index, is not-accessible). */
    static final int NODE_COLUMNS = 9;
    static final int LINK_COLUMNS = 10;
    static final int GROUP_COLUMNS = 9;
    static final int MIRROR_COLUMNS = 10;

    static final Map<String, Integer> NODE_STATES = Map.of(
            "starting", 2, "active", 3, "standby", 4, "leaving", 5, "down", 6);
    static final Map<String, Integer> CLUSTER_STATES = Map.of(
            "normal", 2, "degraded", 3, "takeover", 4, "resync", 5, "standby", 6, "splitbrain", 7);
    static final Map<String, Integer> LINK_STATES = Map.of("up", 2, "warn", 3, "down", 4);
    static final Map<String, Integer> GROUP_STATES = Map.of(
            "idle", 2, "orphaned", 3, "starting", 4, "running", 5, "resyncbulk", 6, "stopping", 7,
            "resyncfinal", 8, "released", 9, "declined", 10);
    static final Map<String, Integer> MIRROR_RESULTS = Map.of(
            "ok", 2, "failed", 3, "running", 4, "skipped", 5, "never", 6);

    /** Every defined object (scalar or column) the agent serves, for telling noSuchObject from noSuchInstance. */
    static final List<OID> OBJECT_TYPES = objectTypes();

    private ClusterMib() {}

    /** Row numbers of the four tables, kept by the agent so that they stay stable. */
    record Rows(RowIndexes nodes, RowIndexes links, RowIndexes groups, RowIndexes mirrors) {
        Rows() {
            this(new RowIndexes(), new RowIndexes(), new RowIndexes(), new RowIndexes());
        }
    }

    /**
     * Every instance of the MIB for {@code v}. {@code agentStartMillis} is the wall-clock time at which
     * sysUpTime was zero, for the TimeStamp {@code clusterdLastChange}.
     */
    static NavigableMap<OID, Variable> render(ClusterView v, Rows rows, long agentStartMillis) {
        NavigableMap<OID, Variable> m = new TreeMap<>();
        ClusterView.Stats s = v.stats();
        put(m, CLUSTER, 1, MibValues.display(v.cluster(), 32));
        put(m, CLUSTER, 2, MibValues.display(v.node(), 32));
        put(m, CLUSTER, 3, MibValues.enumValue(v.state(), NODE_STATES));
        if (s != null) {
            put(m, CLUSTER, 4, MibValues.enumValue(s.clusterState(), CLUSTER_STATES));
            put(m, CLUSTER, 5, MibValues.counter32(s.stateChanges()));
            put(m, CLUSTER, 6, MibValues.counter32(s.failovers()));
            long ticks = s.lastChangeMillis() > agentStartMillis ? (s.lastChangeMillis() - agentStartMillis) / 10 : 0;
            put(m, CLUSTER, 7, new TimeTicks(ticks & MibValues.MAX_UNSIGNED32));
            put(m, CLUSTER, 8, MibValues.time(s.lastChangeMillis()));
            put(m, CLUSTER, 9, MibValues.time(s.startedAtMillis()));
        }
        ClusterView.TimersView t = v.timers();
        if (t != null) {
            put(m, TIMERS, 1, MibValues.unsigned32(t.heartbeatIntervalMs()));
            put(m, TIMERS, 2, MibValues.unsigned32(t.warnMs()));
            put(m, TIMERS, 3, MibValues.unsigned32(t.deadMs()));
            put(m, TIMERS, 4, MibValues.unsigned32(t.initDeadMs()));
        }
        for (ClusterView.NodeView n : v.nodes()) {
            int i = rows.nodes().of(n.name());
            if (i == 0) {
                continue;
            }
            cell(m, NODE_ENTRY, 2, i, MibValues.display(n.name(), 32));
            cell(m, NODE_ENTRY, 3, i, MibValues.truth(n.local()));
            cell(m, NODE_ENTRY, 4, i, MibValues.enumValue(n.state(), NODE_STATES));
            cell(m, NODE_ENTRY, 5, i, MibValues.truth(n.alive()));
            cell(m, NODE_ENTRY, 6, i, MibValues.ageOrMinusOne(n.lastHeartbeatMillis()));
            cell(m, NODE_ENTRY, 7, i, MibValues.truth(n.standbyLock()));
            cell(m, NODE_ENTRY, 8, i, MibValues.display(Long.toString(n.incarnation()), 20));
            cell(m, NODE_ENTRY, 9, i, MibValues.gauge32(n.pingReached()));
        }
        for (ClusterView.LinkView l : v.links()) {
            int i = rows.links().of(l.name());
            if (i == 0) {
                continue;
            }
            cell(m, LINK_ENTRY, 2, i, MibValues.display(l.name(), 32));
            cell(m, LINK_ENTRY, 3, i, MibValues.display(l.peer(), 32));
            cell(m, LINK_ENTRY, 4, i, MibValues.enumValue(l.state(), LINK_STATES));
            cell(m, LINK_ENTRY, 5, i, MibValues.ageOrMinusOne(l.lastSeenMillis()));
            cell(m, LINK_ENTRY, 6, i, MibValues.counter32(l.received()));
            cell(m, LINK_ENTRY, 7, i, MibValues.gauge32(l.lost()));
            cell(m, LINK_ENTRY, 8, i, MibValues.counter32(l.rejected()));
            cell(m, LINK_ENTRY, 9, i, MibValues.display(l.localAddress(), 64));
            cell(m, LINK_ENTRY, 10, i, MibValues.display(l.peerAddress(), 64));
        }
        for (ClusterView.GroupView g : v.groups()) {
            int i = rows.groups().of(g.name());
            if (i == 0) {
                continue;
            }
            cell(m, GROUP_ENTRY, 2, i, MibValues.display(g.name(), 32));
            cell(m, GROUP_ENTRY, 3, i, MibValues.display(g.home(), 32));
            cell(m, GROUP_ENTRY, 4, i, MibValues.display(g.owner(), 32));
            cell(m, GROUP_ENTRY, 5, i, MibValues.enumValue(g.state(), GROUP_STATES));
            cell(m, GROUP_ENTRY, 6, i, MibValues.unsigned32(g.generation()));
            cell(m, GROUP_ENTRY, 7, i, MibValues.time(g.lastFailoverMillis()));
            cell(m, GROUP_ENTRY, 8, i, MibValues.counter32(g.failoverCount()));
            cell(m, GROUP_ENTRY, 9, i, MibValues.utf8(g.lastResult()));
        }
        for (ClusterView.MirrorView r : v.mirrors()) {
            int i = rows.mirrors().of(r.name());
            if (i == 0) {
                continue;
            }
            cell(m, MIRROR_ENTRY, 2, i, MibValues.display(r.name(), 32));
            cell(m, MIRROR_ENTRY, 3, i, MibValues.display(r.group(), 32));
            cell(m, MIRROR_ENTRY, 4, i, MibValues.utf8(r.path()));
            cell(m, MIRROR_ENTRY, 5, i, MibValues.enumValue(r.lastResult(), MIRROR_RESULTS));
            cell(m, MIRROR_ENTRY, 6, i, MibValues.time(r.lastSuccess()));
            cell(m, MIRROR_ENTRY, 7, i, MibValues.ageOrMinusOne(r.lagSeconds()));
            cell(m, MIRROR_ENTRY, 8, i, MibValues.counter32(r.conflicts()));
            cell(m, MIRROR_ENTRY, 9, i, MibValues.counter64(r.filesMoved()));
            cell(m, MIRROR_ENTRY, 10, i, MibValues.counter64(r.bytesMoved()));
        }
        return Collections.unmodifiableNavigableMap(m);
    }

    static OID child(OID parent, int... sub) {
        OID o = new OID(parent);
        for (int s : sub) {
            o.append(s);
        }
        return o;
    }

    private static void put(NavigableMap<OID, Variable> m, OID group, int scalar, Variable value) {
        m.put(child(group, scalar, 0), value);
    }

    private static void cell(NavigableMap<OID, Variable> m, OID entry, int column, int row, Variable value) {
        m.put(child(entry, column, row), value);
    }

    private static List<OID> objectTypes() {
        List<OID> out = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            out.add(child(CLUSTER, i));
        }
        for (int i = 1; i <= 4; i++) {
            out.add(child(TIMERS, i));
        }
        for (int c = 2; c <= NODE_COLUMNS; c++) {
            out.add(child(NODE_ENTRY, c));
        }
        for (int c = 2; c <= LINK_COLUMNS; c++) {
            out.add(child(LINK_ENTRY, c));
        }
        for (int c = 2; c <= GROUP_COLUMNS; c++) {
            out.add(child(GROUP_ENTRY, c));
        }
        for (int c = 2; c <= MIRROR_COLUMNS; c++) {
            out.add(child(MIRROR_ENTRY, c));
        }
        return List.copyOf(out);
    }
}
