package org.clusterd.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.clusterd.config.ClusterConfig;
import org.clusterd.config.ControlConfig;
import org.clusterd.config.FailurePolicy;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.LinkConfig;
import org.clusterd.config.ResourceConfig;
import org.clusterd.config.Timers;
import org.clusterd.harness.FreePorts;
import org.clusterd.heartbeat.UdpHeartbeatTransport;

/**
 * Two real node runtimes in one JVM over real UDP on loopback, whose groups' only resource is a
 * marker file in the node's state directory (present = running there).
 */
final class NodePair implements AutoCloseable {
    static final Timers FAST = new Timers(100, 300, 500, 1_500);

    final Path dir;
    final ClusterConfig alphaConfig;
    final ClusterConfig betaConfig;
    final List<EventHub> hubs = new ArrayList<>();
    NodeRuntime alpha;
    NodeRuntime beta;

    NodePair(Path dir) {
        this.dir = dir;
        int[] ports = FreePorts.next(6);
        byte[] key = new byte[32];
        key[0] = 1;
        alphaConfig = config("alpha", "beta", key, ports[0], ports[1], ports[2], ports[3], ports[4]);
        betaConfig = config("beta", "alpha", key, ports[1], ports[0], ports[3], ports[2], ports[5]);
    }

    private ClusterConfig config(String node, String peer, byte[] key, int l1, int p1, int l2, int p2, int control) {
        Path state = dir.resolve(node);
        return new ClusterConfig(dir.resolve(node + ".yaml"), "pair", node, peer, key, state,
                new ControlConfig(control, state.resolve("control.token")), FAST,
                List.of(new LinkConfig("net1", new InetSocketAddress("127.0.0.1", l1), new InetSocketAddress("127.0.0.1", p1)),
                        new LinkConfig("net2", new InetSocketAddress("127.0.0.1", l2), new InetSocketAddress("127.0.0.1", p2))),
                List.of(), new FailurePolicy(3, 3, 600_000, 200),
                List.of(group("web", "alpha"), group("mail", "beta")), List.of(), java.util.Optional.empty(),
                java.util.Optional.empty());
    }

    private static GroupConfig group(String name, String home) {
        String marker = "\"$CLUSTERD_STATE_DIR/$CLUSTERD_GROUP.running\"";
        return new GroupConfig(name, home, GroupConfig.Failback.AUTO, List.of(new ResourceConfig.Exec("marker",
                "touch " + marker, "rm -f " + marker, "test -f " + marker, Map.of(), 5_000, 200)), List.of());
    }

    NodeRuntime start(ClusterConfig config) throws IOException {
        EventHub hub = new EventHub(200);
        hubs.add(hub);
        NodeRuntime rt = new NodeRuntime(config, NodeClock.system(), new UdpHeartbeatTransport(config.clusterName(),
                config.localNode(), config.peerNode(), config.clusterKey(), config.links(), Clock.systemUTC(),
                Duration.ofDays(1)), ResyncHandler.NONE, hub);
        rt.start();
        return rt;
    }

    void startBoth() throws IOException {
        alpha = start(alphaConfig);
        beta = start(betaConfig);
    }

    boolean runs(String node, String group) {
        return Files.exists(dir.resolve(node).resolve(group + ".running"));
    }

    static Optional<String> owner(NodeRuntime rt, String group) {
        if (rt == null || rt.view() == null) {
            return Optional.empty();
        }
        return rt.view().groups().stream().filter(g -> g.name().equals(group)).findFirst()
                .map(g -> g.owner() == null ? "-" : g.owner());
    }

    @Override
    public void close() {
        for (NodeRuntime rt : new NodeRuntime[] {alpha, beta}) {
            if (rt != null) {
                rt.shutdown(Duration.ofSeconds(10));
                rt.close();
            }
        }
        hubs.forEach(EventHub::close);
    }
}
