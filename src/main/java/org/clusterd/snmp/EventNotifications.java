package org.clusterd.snmp;

import java.util.List;
import java.util.Map;

import org.clusterd.cluster.ClusterEvent;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.VariableBinding;

/**
 * Which CLUSTERD-MIB notification an event becomes, and the objects it carries. Events are matched by
 * their type name ({@link ClusterEvent#type()}), so events added later (MirrorFailed,
 * ConflictDetected, TakeoverCompleted) get their notification as soon as they exist; a type without
 * one is sent as {@code clusterdEvent} with its name in {@code clusterdEventType}. Pure.
 */
final class EventNotifications {
    /** Sub-identifier under clusterdNotifications of each event type's notification. */
    static final Map<String, Integer> BY_TYPE = Map.ofEntries(
            Map.entry("NodeUp", 1),
            Map.entry("NodeDown", 2),
            Map.entry("LinkUp", 3),
            Map.entry("LinkDown", 4),
            Map.entry("TakeoverStarted", 5),
            Map.entry("TakeoverCompleted", 6),
            Map.entry("GroupStarted", 7),
            Map.entry("GroupStopped", 8),
            Map.entry("GroupFailed", 9),
            Map.entry("HandoverStarted", 10),
            Map.entry("HandoverCompleted", 11),
            Map.entry("ResyncStarted", 12),
            Map.entry("ResyncCompleted", 13),
            Map.entry("ResyncFailed", 14),
            Map.entry("StandbyEntered", 15),
            Map.entry("StandbyLeft", 16),
            Map.entry("SplitBrain", 17),
            Map.entry("StopFailed", 18),
            Map.entry("PublicNetworkLost", 19),
            Map.entry("LocalPause", 20),
            Map.entry("StandDownOrdered", 21),
            Map.entry("OrphanFound", 22),
            Map.entry("TakeoverDeferred", 23),
            Map.entry("MirrorFailed", 24),
            Map.entry("ConflictDetected", 25));
    /** {@code clusterdEvent}: any event type without a notification of its own. */
    static final int GENERIC = 26;

    static final OID EVENT_TYPE = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 1, 0);
    static final OID EVENT_SEVERITY = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 2, 0);
    static final OID EVENT_REPORTER = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 3, 0);
    static final OID EVENT_NODE = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 4, 0);
    static final OID EVENT_GROUP = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 5, 0);
    static final OID EVENT_REASON = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 6, 0);
    static final OID EVENT_TIME = ClusterMib.child(ClusterMib.EVENT_OBJECTS, 7, 0);

    private EventNotifications() {}

    /** A notification to send: its snmpTrapOID and the objects after sysUpTime and snmpTrapOID. */
    record Notification(OID trapOid, List<VariableBinding> objects) {
        Notification {
            objects = List.copyOf(objects);
        }
    }

    static OID trapOid(String eventType) {
        return ClusterMib.child(ClusterMib.NOTIFICATIONS, BY_TYPE.getOrDefault(eventType, GENERIC));
    }

    static Notification of(ClusterEvent e) {
        String type = e.type();
        return new Notification(trapOid(type), List.of(
                new VariableBinding(EVENT_TYPE, MibValues.display(type, 64)),
                new VariableBinding(EVENT_SEVERITY, new Integer32(severity(e.severity()))),
                new VariableBinding(EVENT_REPORTER, MibValues.display(e.node(), 32)),
                new VariableBinding(EVENT_NODE, MibValues.display(concernedNode(e), 32)),
                new VariableBinding(EVENT_GROUP, MibValues.display(e.group(), 32)),
                new VariableBinding(EVENT_REASON, MibValues.utf8(e.message())),
                new VariableBinding(EVENT_TIME, MibValues.time(e.time()))));
    }

    static int severity(ClusterEvent.Severity s) {
        if (s == ClusterEvent.Severity.CRITICAL) {
            return 3;
        }
        return s == ClusterEvent.Severity.WARNING ? 2 : 1;
    }

    /** The node an event is about (see clusterdEventNode): the peer, the source or the target; else the reporter. */
    static String concernedNode(ClusterEvent e) {
        if (e instanceof ClusterEvent.NodeUp) {
            return ((ClusterEvent.NodeUp) e).peer();
        }
        if (e instanceof ClusterEvent.NodeDown) {
            return ((ClusterEvent.NodeDown) e).peer();
        }
        if (e instanceof ClusterEvent.StandDownOrdered) {
            return ((ClusterEvent.StandDownOrdered) e).peer();
        }
        if (e instanceof ClusterEvent.TakeoverStarted) {
            return ((ClusterEvent.TakeoverStarted) e).fromNode();
        }
        if (e instanceof ClusterEvent.HandoverStarted) {
            return ((ClusterEvent.HandoverStarted) e).toNode();
        }
        if (e instanceof ClusterEvent.HandoverCompleted) {
            return ((ClusterEvent.HandoverCompleted) e).toNode();
        }
        if (e instanceof ClusterEvent.ResyncStarted) {
            return ((ClusterEvent.ResyncStarted) e).toNode();
        }
        return e.node();
    }
}
