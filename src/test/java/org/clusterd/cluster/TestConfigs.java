package org.clusterd.cluster;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.clusterd.config.ClusterConfig;
import org.clusterd.config.ControlConfig;
import org.clusterd.config.FailurePolicy;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.LinkConfig;
import org.clusterd.config.PingNode;
import org.clusterd.config.Timers;

/** Configurations for the two simulated nodes "a" and "b": groups ga (home a) and gb (home b). */
final class TestConfigs {
    static final Timers TIMERS = new Timers(100, 300, 600, 2_000);

    private TestConfigs() {}

    static ClusterConfig node(String name, GroupConfig.Failback failback, int pingNodes) {
        String peer = name.equals("a") ? "b" : "a";
        List<LinkConfig> links = List.of(
                new LinkConfig("l1", InetSocketAddress.createUnresolved("127.0.0.1", 1), InetSocketAddress.createUnresolved("127.0.0.1", 2)),
                new LinkConfig("l2", InetSocketAddress.createUnresolved("127.0.0.1", 3), InetSocketAddress.createUnresolved("127.0.0.1", 4)));
        List<PingNode> pings = java.util.stream.IntStream.range(0, pingNodes)
                .mapToObj(i -> new PingNode(PingNode.Kind.TCP, "127.0.0.1", 1000 + i)).toList();
        List<GroupConfig> groups = List.of(
                new GroupConfig("ga", "a", failback, List.of(), List.of()),
                new GroupConfig("gb", "b", failback, List.of(), List.of()));
        return new ClusterConfig(Path.of("/sim/" + name + ".yaml"), "sim", name, peer, new byte[32],
                Path.of("/sim/" + name), new ControlConfig(9000, Path.of("/sim/token")), TIMERS, links, pings,
                new FailurePolicy(2, 3, 60_000, 1_000), groups, List.of(), Optional.empty(), Optional.empty());
    }

    static ClusterConfig node(String name) {
        return node(name, GroupConfig.Failback.AUTO, 0);
    }
}
