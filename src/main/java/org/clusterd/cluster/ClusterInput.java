package org.clusterd.cluster;

/**
 * Everything that can happen to the state machine. {@code now} is the node's clock in milliseconds
 * (monotonic in production); the machine never reads a clock itself.
 */
public sealed interface ClusterInput {
    long now();

    /** Time passes; also sent when nothing else happens, at the machine's next deadline. */
    record Tick(long now) implements ClusterInput {}

    /** An authenticated, non-replayed heartbeat from the peer arrived on a link. */
    record HeartbeatReceived(long now, String link, Heartbeat heartbeat) implements ClusterInput {}

    /** A group's resources were started in order (ok) or the start failed and was rolled back. */
    record StartDone(long now, String group, boolean ok, String detail) implements ClusterInput {}

    /** A group's resources were stopped in reverse order (ok) or at least one failed to stop. */
    record StopDone(long now, String group, boolean ok, String detail) implements ClusterInput {}

    /** A running group's periodic status check found a resource not running. */
    record MonitorFailed(long now, String group, String resource, String detail) implements ClusterInput {}

    /** A resync pass of a group to the peer finished. */
    record ResyncDone(long now, String group, ResyncPhase phase, boolean ok, String detail) implements ClusterInput {}

    /** How many ping nodes this node reaches now. */
    record PingResult(long now, int reached) implements ClusterInput {}

    /** An operator's command. */
    record Operator(long now, Command command) implements ClusterInput {}
}
