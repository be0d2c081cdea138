package org.clusterd.snmp;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.clusterd.harness.FreePorts;

/**
 * A real {@code snmptrapd} on a free loopback port that accepts the test community (v2c) and the
 * test SNMPv3 user (informs), and logs every notification as one line
 * {@code TRAP <security>|<transport>|<varbind>\t<varbind>...} to a file. Closing kills it.
 */
final class TrapReceiver implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Path log;
    private final Process process;

    /** The test configuration: one {@code TRAP security|transport|varbinds} line per notification. */
    static final String TEST_CONF = String.join("\n",
            "authCommunity log " + AgentFixture.COMMUNITY,
            "createUser " + AgentFixture.USER + " SHA-256 " + AgentFixture.AUTH + " AES " + AgentFixture.PRIV,
            "authUser log " + AgentFixture.USER + " priv",
            "format2 TRAP %P|%B|%v\\n",
            "doNotRetainNotificationLogs yes",
            "");

    TrapReceiver(Path dir) throws IOException {
        this(dir, TEST_CONF);
    }

    /** An snmptrapd in its own directory {@code dir} with configuration {@code confText}. */
    TrapReceiver(Path dir, String confText) throws IOException {
        this.dir = dir;
        this.port = FreePorts.next();
        this.log = dir.resolve("traps.log");
        Files.createDirectories(dir);
        Path conf = dir.resolve("snmptrapd.conf");
        Files.writeString(conf, confText);
        Files.createDirectories(dir.resolve("persist"));
        List<String> cmd = new ArrayList<>(List.of(NetSnmp.tool("snmptrapd").toString(), "-f", "-n", "-C", "-c", conf.toString(),
                "-Lf", log.toString()));
        cmd.addAll(NetSnmp.MIB_ARGS);
        cmd.add("udp:127.0.0.1:" + port);
        ProcessBuilder pb = NetSnmp.builder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("snmptrapd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("persist").toString());
        process = pb.start();
        try {
            org.awaitility.Awaitility.await("snmptrapd ready").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !process.isAlive() || text().contains("NET-SNMP version"));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (!process.isAlive()) {
            String out = Files.readString(dir.resolve("snmptrapd.out"));
            close();
            throw new IllegalStateException("snmptrapd exited: " + out);
        }
    }

    String text() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> traps() {
        return text().lines().filter(l -> l.startsWith("TRAP ")).toList();
    }

    Optional<String> find(Predicate<String> p) {
        return traps().stream().filter(p).findFirst();
    }

    /** The first logged notification matching {@code p}, waiting at most {@code timeout}. */
    String awaitTrap(Predicate<String> p, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(2)).until(() -> find(p).isPresent());
        return find(p).orElseThrow();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "snmptrapd on udp:127.0.0.1:" + port + " logging to " + log + " in " + dir;
    }
}
