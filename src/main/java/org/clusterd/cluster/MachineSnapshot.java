package org.clusterd.cluster;

import java.util.List;

/**
 * What the state machine knows at one instant, immutable, for the views. Ages are milliseconds
 * before the snapshot (-1: never). {@code splitBrain}: both nodes claim a group right now.
 */
public record MachineSnapshot(String cluster, String node, String state, boolean standbyLock, long incarnation,
                              int pingReached, int pingTotal, boolean splitBrain, PeerInfo peer, List<LinkInfo> links,
                              List<GroupInfo> groups) {
    public MachineSnapshot {
        links = List.copyOf(links);
        groups = List.copyOf(groups);
    }

    public record PeerInfo(String name, String state, boolean alive, long lastHeardAgoMillis, boolean standbyLock,
                           long incarnation, int pingReached) {}

    public record LinkInfo(String name, String state, long lastSeenAgoMillis) {}

    /** {@code owner} is null when no node runs the group as far as this node knows. */
    public record GroupInfo(String name, String home, String owner, String state, long generation,
                            String lastResult) {}
}
