package org.clusterd.cluster;

/**
 * Everything that can happen to the state machine. {@code now} is the node's clock in milliseconds
 * (monotonic in production); the machine never reads a clock itself.
 */
public sealed interface ClusterInput {
    long now();

    /** The same input at another time: inputs made on other threads take the loop's time when handled. */
    ClusterInput at(long now);

    /** Time passes; also sent when nothing else happens, at the machine's next deadline. */
    record Tick(long now) implements ClusterInput {
        public Tick at(long t) { return new Tick(t); }
    }

    /** An authenticated, non-replayed heartbeat from the peer arrived on a link. */
    record HeartbeatReceived(long now, String link, Heartbeat heartbeat) implements ClusterInput {
        public HeartbeatReceived at(long t) { return new HeartbeatReceived(t, link, heartbeat); }
    }

    /** A group's resources were started in order (ok) or the start failed and was rolled back. */
    record StartDone(long now, String group, boolean ok, String detail) implements ClusterInput {
        public StartDone at(long t) { return new StartDone(t, group, ok, detail); }
    }

    /** A group's resources were stopped in reverse order (ok) or at least one failed to stop. */
    record StopDone(long now, String group, boolean ok, String detail) implements ClusterInput {
        public StopDone at(long t) { return new StopDone(t, group, ok, detail); }
    }

    /** A running group's periodic status check found a resource not running. */
    record MonitorFailed(long now, String group, String resource, String detail) implements ClusterInput {
        public MonitorFailed at(long t) { return new MonitorFailed(t, group, resource, detail); }
    }

    /** A resync pass of a group to the peer finished. */
    record ResyncDone(long now, String group, ResyncPhase phase, boolean ok, String detail) implements ClusterInput {
        public ResyncDone at(long t) { return new ResyncDone(t, group, phase, ok, detail); }
    }

    /** How many ping nodes this node reaches now. */
    record PingResult(long now, int reached) implements ClusterInput {
        public PingResult at(long t) { return new PingResult(t, reached); }
    }

    /** An operator's command. */
    record Operator(long now, Command command) implements ClusterInput {
        public Operator at(long t) { return new Operator(t, command); }
    }
}
