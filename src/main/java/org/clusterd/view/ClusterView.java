package org.clusterd.view;

import java.util.List;

/**
 * One immutable picture of the cluster as the local node sees it: what {@code clusterd status --json},
 * the HTTP API, SNMP and JMX all serve, so that they can never disagree. Serialised with Jackson as is.
 * Times ({@code generatedAtMillis}, {@code time}, {@code lastSuccess}, {@code lastChangeMillis}) are
 * epoch milliseconds; {@code *AgoMillis}-style fields ({@code lastHeartbeatMillis}, {@code lastSeenMillis})
 * are milliseconds elapsed since then, -1 when never.
 */
public record ClusterView(
        String cluster,
        String node,
        String state,
        long generatedAtMillis,
        Stats stats,
        TimersView timers,
        List<NodeView> nodes,
        List<LinkView> links,
        List<GroupView> groups,
        List<MirrorView> mirrors,
        Endpoints endpoints,
        List<EventView> events) {

    public ClusterView {
        nodes = List.copyOf(nodes);
        links = List.copyOf(links);
        groups = List.copyOf(groups);
        mirrors = List.copyOf(mirrors);
        events = List.copyOf(events);
    }

    /**
     * {@code clusterState}: normal, degraded, takeover, resync, standby or splitBrain (the SNMP
     * cluster state). {@code stateChanges}: events seen since start; {@code failovers}: groups that
     * changed node since start.
     */
    public record Stats(String clusterState, long stateChanges, long failovers, long lastChangeMillis,
                        long startedAtMillis) {}

    public record TimersView(long heartbeatIntervalMs, long warnMs, long deadMs, long initDeadMs) {}

    /** {@code local} is true for the node that produced the view. */
    public record NodeView(String name, boolean local, String state, boolean alive, long lastHeartbeatMillis,
                           boolean standbyLock, long incarnation, int pingReached) {}

    /** {@code state} is UP, WARN or DOWN; {@code up} is true unless DOWN. */
    public record LinkView(String name, String peer, boolean up, String state, long lastSeenMillis, long received,
                           long lost, long rejected, String localAddress, String peerAddress) {}

    /** {@code owner} is null when no node runs the group. */
    public record GroupView(String name, String home, String owner, String state, long generation,
                            long lastFailoverMillis, long failoverCount, String lastResult) {}

    /** {@code lastResult}: OK, FAILED, RUNNING, SKIPPED or NEVER; {@code lastSuccess} -1 when never. */
    public record MirrorView(String name, String group, String path, String lastResult, long lastSuccess,
                             long lagSeconds, long conflicts, long filesMoved, long bytesMoved) {}

    /** Where this node serves, as {@code http://HOST:PORT}, {@code udp:HOST:PORT}; null until that surface exists. */
    public record Endpoints(String http, String snmp, List<String> trapTargets, String jmx, String control) {
        public Endpoints {
            trapTargets = List.copyOf(trapTargets);
        }
    }

    public record EventView(long time, String type, String severity, String node, String group, String message) {}
}
