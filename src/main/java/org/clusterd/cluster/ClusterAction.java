package org.clusterd.cluster;

/** What the state machine asks the node to carry out, in order. Results come back as inputs. */
public sealed interface ClusterAction {
    /** Make the state durable (temp file, fsync, rename) before carrying out any later action. */
    record Persist(PersistentState state) implements ClusterAction {}

    /** Start the group's resources in order; answer with {@link ClusterInput.StartDone}. */
    record StartGroup(String group, long generation) implements ClusterAction {}

    /** Stop the group's resources in reverse order; answer with {@link ClusterInput.StopDone}. */
    record StopGroup(String group, String reason) implements ClusterAction {}

    /** Mirror the group's data to the peer; answer with {@link ClusterInput.ResyncDone}. */
    record Resync(String group, ResyncPhase phase, String toNode) implements ClusterAction {}

    /** Send a heartbeat now (built with {@link ClusterMachine#heartbeat}). */
    record SendHeartbeat() implements ClusterAction {}

    /** Create or remove the standby lock file. */
    record StandbyLock(boolean present) implements ClusterAction {}

    /** Publish an event (log, history, notify commands, later traps and JMX notifications). */
    record Emit(ClusterEvent event) implements ClusterAction {}

    /** The answer to an operator command. */
    record Reply(boolean accepted, String message) implements ClusterAction {}

    /** A graceful shutdown has handed everything over: the process may exit. */
    record Exit() implements ClusterAction {}
}
