package org.clusterd.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.ControlConfig;
import org.clusterd.config.FailurePolicy;
import org.clusterd.config.GroupConfig;
import org.clusterd.config.MirrorConfig;
import org.clusterd.config.MirrorSetConfig;
import org.clusterd.config.Timers;
import org.clusterd.harness.FreePorts;

/**
 * Two mirror services, "alpha" and "beta", in this JVM over loopback TLS, each with its own state
 * directory and its own copy of every set under {@code base/NODE/SET}. Ownership is a map the test
 * flips: {@link #own(String, String)}.
 */
final class MirrorPair implements AutoCloseable {
    /** Keys are slow to make (keytool): made once per JVM. */
    private static Path keys;

    final Path base;
    final Map<String, String> owner = new ConcurrentHashMap<>();
    final List<MirrorEvent> alphaEvents = new CopyOnWriteArrayList<>();
    final List<MirrorEvent> betaEvents = new CopyOnWriteArrayList<>();
    final MirrorService alpha;
    final MirrorService beta;
    final ClusterConfig alphaConfig;
    final ClusterConfig betaConfig;

    static synchronized Path keys() {
        // Regenerated if something removed them meanwhile (seen once in CI: the pass file was gone).
        if (keys == null || !Files.exists(keys.resolve("mirror.pass"))) {
            try {
                Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "mirror-test-keys");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Trash.deleteTree(dir);
                    } catch (IOException e) {
                        // best effort: a temporary directory
                    }
                }));
                MirrorKeys.generate(dir, List.of("alpha", "beta"));
                keys = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keys;
    }

    /** A set of group "g" with the given policy; schedule yearly unless given. */
    static MirrorSetConfig set(String name, MirrorSetConfig.Policy policy) {
        return new MirrorSetConfig(name, Path.of(name), List.of(), "0 0 0 1 1 ? 2099", policy, 0.5, false);
    }

    MirrorPair(Path base, List<MirrorSetConfig> sets) throws IOException {
        this(base, sets, 30_000);
    }

    MirrorPair(Path base, List<MirrorSetConfig> sets, int timeoutMs) throws IOException {
        this.base = base;
        int pa = FreePorts.next();
        int pb = FreePorts.next();
        alphaConfig = config("alpha", "beta", pa, pb, sets);
        betaConfig = config("beta", "alpha", pb, pa, sets);
        for (MirrorSetConfig s : sets) {
            Files.createDirectories(dir("alpha", s.name()));
            Files.createDirectories(dir("beta", s.name()));
        }
        owner.put("g", "alpha");
        alpha = new MirrorService(alphaConfig, guard("alpha"), alphaEvents::add, System::currentTimeMillis, timeoutMs);
        beta = new MirrorService(betaConfig, guard("beta"), betaEvents::add, System::currentTimeMillis, timeoutMs);
        alpha.start();
        beta.start();
    }

    Path dir(String node, String set) {
        return base.resolve(node).resolve(set);
    }

    Path state(String node) {
        return base.resolve(node + "-state");
    }

    void own(String group, String node) {
        owner.put(group, node);
    }

    MirrorService service(String node) {
        return node.equals("alpha") ? alpha : beta;
    }

    private MirrorGuard guard(String node) {
        return new MirrorGuard() {
            @Override
            public boolean mayPush(String group) {
                return node.equals(owner.get(group));
            }

            @Override
            public boolean mayReceive(String group) {
                return !node.equals(owner.get(group));
            }
        };
    }

    private ClusterConfig config(String node, String peer, int port, int peerPort, List<MirrorSetConfig> sets) {
        Path k = keys();
        List<MirrorSetConfig> local = new ArrayList<>();
        for (MirrorSetConfig s : sets) {
            local.add(new MirrorSetConfig(s.name(), dir(node, s.name()), s.excludes(), s.schedule(), s.policy(),
                    s.maxDeleteShare(), s.fullChecksum()));
        }
        MirrorConfig m = new MirrorConfig(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", peerPort),
                k.resolve("mirror-" + node + ".p12"), k.resolve("mirror-trust.p12"), k.resolve("mirror.pass"), 64L << 20);
        return new ClusterConfig(base.resolve(node + ".yaml"), "test", node, peer, new byte[32], state(node),
                new ControlConfig(1, base.resolve("token")), Timers.DEFAULTS, List.of(), List.of(), FailurePolicy.DEFAULTS,
                List.of(new GroupConfig("g", "alpha", GroupConfig.Failback.AUTO, List.of(), local)), List.of(),
                Optional.empty(), Optional.of(m));
    }

    @Override
    public void close() {
        alpha.close();
        beta.close();
    }
}
