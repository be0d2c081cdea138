package org.clusterd.cluster;

/** What an operator asks of the local node, from any view (CLI, HTTP, JMX, SNMP). */
public sealed interface Command {
    /** Hand every group to the peer, write the standby lock and stay out until {@link Join}. */
    record Standby() implements Command {}

    /** Remove the standby lock and take part again. */
    record Join() implements Command {}

    /** Move the group to the other node now, from wherever it runs. */
    record Failover(String group) implements Command {}

    /** Bring the group back to its home node (the manual failback of failback: manual groups). */
    record Failback(String group) implements Command {}

    /** Graceful stop (SIGTERM): hand every group to the peer, then exit. */
    record Shutdown() implements Command {}

    /** Run a mirror pass of one mirror set now (outside its schedule), if this node may push it. */
    record MirrorNow(String set) implements Command {}
}
