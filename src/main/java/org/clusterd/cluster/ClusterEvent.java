package org.clusterd.cluster;

/**
 * Every state change of the cluster, as one stream that feeds the log, the event history, notify
 * commands and later SNMP traps, JMX notifications and the web page, so those can never disagree.
 * {@code group} is null for events about a node or link.
 */
public sealed interface ClusterEvent {
    long time();

    /** The node that observed the event (the local node). */
    String node();

    String group();

    String message();

    /** Severity for logs and paging: INFO, WARNING or CRITICAL. */
    Severity severity();

    default String type() {
        return getClass().getSimpleName();
    }

    enum Severity { INFO, WARNING, CRITICAL }

    record NodeUp(long time, String node, String peer, long incarnation) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "peer " + peer + " is up (incarnation " + incarnation + ")"; }
        public Severity severity() { return Severity.INFO; }
    }

    record NodeDown(long time, String node, String peer, String reason) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "peer " + peer + " is down: " + reason; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record LinkUp(long time, String node, String link) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "link " + link + " is up"; }
        public Severity severity() { return Severity.INFO; }
    }

    record LinkDown(long time, String node, String link, long silentMillis) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "link " + link + " is down (silent " + silentMillis + " ms)"; }
        public Severity severity() { return Severity.WARNING; }
    }

    /** {@code peerDead}: an unplanned takeover (pages on-call); otherwise the peer handed the group over. */
    record TakeoverStarted(long time, String node, String group, String fromNode, String reason, boolean peerDead)
            implements ClusterEvent {
        public String message() { return "taking over " + group + " from " + fromNode + ": " + reason; }
        public Severity severity() { return peerDead ? Severity.CRITICAL : Severity.WARNING; }
    }

    record TakeoverCompleted(long time, String node, String group, String fromNode, long generation) implements ClusterEvent {
        public String message() { return group + " taken over from " + fromNode + " and running (generation " + generation + ")"; }
        public Severity severity() { return Severity.WARNING; }
    }

    record GroupStarted(long time, String node, String group, long generation) implements ClusterEvent {
        public String message() { return group + " started (generation " + generation + ")"; }
        public Severity severity() { return Severity.INFO; }
    }

    record GroupStopped(long time, String node, String group, String reason) implements ClusterEvent {
        public String message() { return group + " stopped: " + reason; }
        public Severity severity() { return Severity.INFO; }
    }

    record GroupFailed(long time, String node, String group, String detail) implements ClusterEvent {
        public String message() { return group + " failed: " + detail; }
        public Severity severity() { return Severity.WARNING; }
    }

    record HandoverStarted(long time, String node, String group, String toNode, String reason) implements ClusterEvent {
        public String message() { return "handing " + group + " to " + toNode + ": " + reason; }
        public Severity severity() { return Severity.WARNING; }
    }

    record HandoverCompleted(long time, String node, String group, String toNode) implements ClusterEvent {
        public String message() { return group + " released to " + toNode; }
        public Severity severity() { return Severity.INFO; }
    }

    record ResyncStarted(long time, String node, String group, ResyncPhase phase, String toNode) implements ClusterEvent {
        public String message() { return phase + " resync of " + group + " to " + toNode + " started"; }
        public Severity severity() { return Severity.INFO; }
    }

    record ResyncCompleted(long time, String node, String group, ResyncPhase phase, String detail) implements ClusterEvent {
        public String message() { return phase + " resync of " + group + " completed: " + detail; }
        public Severity severity() { return Severity.INFO; }
    }

    record ResyncFailed(long time, String node, String group, ResyncPhase phase, String detail) implements ClusterEvent {
        public String message() { return phase + " resync of " + group + " failed: " + detail; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record StandbyEntered(long time, String node, String reason) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "standby entered: " + reason; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record StandbyLeft(long time, String node) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "standby left: node joins the cluster"; }
        public Severity severity() { return Severity.INFO; }
    }

    record SplitBrain(long time, String node, String group, long localGeneration, long peerGeneration,
                      String keeper) implements ClusterEvent {
        public String message() {
            return "SPLIT BRAIN: " + group + " claimed by both nodes (local generation " + localGeneration
                    + ", peer " + peerGeneration + "); " + keeper + " keeps it, the other stops it now";
        }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record StopFailed(long time, String node, String group, String detail) implements ClusterEvent {
        public String message() { return group + " failed to stop: " + detail + "; node goes to standby"; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record PublicNetworkLost(long time, String node, int reached, int peerReached) implements ClusterEvent {
        public String group() { return null; }
        public String message() {
            return "this node reaches " + reached + " ping nodes, its peer " + peerReached
                    + ": handing groups over";
        }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record LocalPause(long time, String node, long pausedMillis) implements ClusterEvent {
        public String group() { return null; }
        public String message() {
            return "this daemon did not run for " + pausedMillis + " ms (frozen or overloaded); peer timers restarted";
        }
        public Severity severity() { return Severity.WARNING; }
    }

    record StandDownOrdered(long time, String node, String peer) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return peer + " says this node must be in standby (its lock was lost): standing down"; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    record OrphanFound(long time, String node, String group, String action) implements ClusterEvent {
        public String message() { return group + " was found running unsupervised at start-up: " + action; }
        public Severity severity() { return Severity.WARNING; }
    }

    record TakeoverDeferred(long time, String node, String reason) implements ClusterEvent {
        public String group() { return null; }
        public String message() { return "peer looks dead but this node does not take over: " + reason; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    /** A mirror pass of a set failed; the peer's files are intact and the next pass continues. */
    record MirrorFailed(long time, String node, String group, String set, String reason) implements ClusterEvent {
        public String message() { return "mirror of " + set + " (" + group + ") failed: " + reason; }
        public Severity severity() { return Severity.CRITICAL; }
    }

    /** Both nodes changed one file since their last common sync; the owner's copy won. */
    record ConflictDetected(long time, String node, String group, String set, String path, String resolution)
            implements ClusterEvent {
        public String message() { return "conflict in " + set + " (" + group + "): " + path + ": " + resolution; }
        public Severity severity() { return Severity.WARNING; }
    }

    /** A pass would have deleted too large a share of a set (wiped or unmounted source?) and was stopped. */
    record MassDeleteRefused(long time, String node, String group, String set, long deletes, long total)
            implements ClusterEvent {
        public String message() {
            return "mirror of " + set + " (" + group + ") stopped: it would delete " + deletes + " of " + total
                    + " paths; is the source wiped or unmounted?";
        }
        public Severity severity() { return Severity.CRITICAL; }
    }
}
