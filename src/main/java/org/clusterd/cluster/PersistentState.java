package org.clusterd.cluster;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a node must remember across restarts: per group the newest generation it knows and who owned
 * the group at that generation, its own standby epoch, the highest standby epoch it has seen from its
 * peer (to tell a peer that lost its lock to stand down), and its last incarnation.
 */
public record PersistentState(Map<String, GroupRecord> groups, long standbyEpoch, long peerStandbyEpoch,
                              long lastIncarnation) {
    public static final PersistentState EMPTY = new PersistentState(Map.of(), 0, 0, 0);

    public PersistentState {
        groups = Map.copyOf(groups);
    }

    /** {@code owner} is null when nobody owned the group at that generation. */
    public record GroupRecord(long generation, String owner) {}

    public PersistentState withIncarnation(long incarnation) {
        return new PersistentState(groups, standbyEpoch, peerStandbyEpoch, incarnation);
    }

    public GroupRecord group(String name) {
        return groups.getOrDefault(name, new GroupRecord(0, null));
    }

    public Map<String, GroupRecord> sortedGroups() {
        return new TreeMap<>(groups);
    }
}
