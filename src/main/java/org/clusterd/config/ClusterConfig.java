package org.clusterd.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One node's validated configuration: everything the daemon needs, checked before anything starts.
 * Produced only by {@link ConfigLoader}; relative paths in the file are already resolved against
 * the file's directory.
 */
public record ClusterConfig(
        Path source,
        String clusterName,
        String localNode,
        String peerNode,
        byte[] clusterKey,
        Path stateDir,
        ControlConfig control,
        Timers timers,
        List<LinkConfig> links,
        List<PingNode> pingNodes,
        FailurePolicy failurePolicy,
        List<GroupConfig> groups,
        List<NotifyConfig> notifiers,
        Optional<SnmpConfig> snmp,
        Optional<MirrorConfig> mirror) {

    public ClusterConfig {
        links = List.copyOf(links);
        pingNodes = List.copyOf(pingNodes);
        groups = List.copyOf(groups);
        notifiers = List.copyOf(notifiers);
        clusterKey = clusterKey.clone();
        java.util.Objects.requireNonNull(snmp, "snmp");
    }

    @Override
    public byte[] clusterKey() {
        return clusterKey.clone();
    }

    /** Every mirror set of every group, in file order. */
    public List<MirrorSetConfig> mirrorSets() {
        return groups.stream().flatMap(g -> g.mirrors().stream()).toList();
    }

    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    @Override
    public String toString() {
        // never print the key
        return "ClusterConfig[" + clusterName + "/" + localNode + " peer=" + peerNode + " links=" + links
                + " groups=" + groups.stream().map(GroupConfig::name).toList() + "]";
    }
}
