package org.clusterd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.clusterd.cluster.Command;
import org.clusterd.config.ControlConfig;
import org.clusterd.view.ClusterService.CommandResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control channel end to end with a real socket on 127.0.0.1 and a fake cluster behind it. */
class ControlServerTest {
    @TempDir
    Path dir;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final FakeClusterService service = new FakeClusterService(SampleViews.office());

    @AfterEach
    void closeEverything() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private Path tokenFile() {
        return dir.resolve("run/control.token");
    }

    private ControlServer started() throws IOException {
        ControlServer server = new ControlServer(service, new ControlConfig(0, tokenFile()));
        toClose.push(server);
        server.start();
        return server;
    }

    private ControlClient clientOf(ControlServer server) {
        return new ControlClient(new ControlConfig(server.port(), tokenFile()));
    }

    @Test
    void statusReturnsTheServicesViewUnchanged() throws Exception {
        ControlServer server = started();

        assertThat(clientOf(server).status()).isEqualTo(SampleViews.office());
        assertThat(server.answered()).isEqualTo(1);
        assertThat(server.rejected()).isZero();
    }

    @Test
    void everyCommandReachesTheServiceAndItsAnswerComesBack() throws Exception {
        ControlServer server = started();
        ControlClient client = clientOf(server);

        assertThat(client.command("standby", null)).isEqualTo(new CommandOutcome(true, "ok: Standby[]"));
        assertThat(client.command("join", null)).isEqualTo(new CommandOutcome(true, "ok: Join[]"));
        assertThat(client.command("failover", "mail")).isEqualTo(new CommandOutcome(true, "ok: Failover[group=mail]"));
        assertThat(client.command("failback", "files")).isEqualTo(new CommandOutcome(true, "ok: Failback[group=files]"));

        assertThat(service.submitted()).containsExactly(new Command.Standby(), new Command.Join(),
                new Command.Failover("mail"), new Command.Failback("files"));
    }

    @Test
    void aRefusedCommandComesBackAsNotAccepted() throws Exception {
        service.answering(c -> new CommandResult(false, "group mail is being resynced; try again later"));
        ControlServer server = started();

        assertThat(clientOf(server).command("failover", "mail"))
                .isEqualTo(new CommandOutcome(false, "group mail is being resynced; try again later"));
    }

    @Test
    void aFailingServiceGivesAnErrorAnswerAndTheServerCarriesOn() throws Exception {
        service.answering(c -> {
            throw new IllegalStateException("event loop stopped");
        });
        ControlServer server = started();
        ControlClient client = clientOf(server);

        assertThatThrownBy(() -> client.command("standby", null))
                .isInstanceOfSatisfying(ControlException.class,
                        e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.FAILED))
                .hasMessageContaining("event loop stopped");
        assertThat(client.status()).isEqualTo(SampleViews.office());
        assertThat(server.rejected()).isZero();
    }

    @Test
    void tokenFileIsPrivateInAPrivateNewDirectoryAndFreshOnEveryStart() throws Exception {
        ControlServer first = started();

        assertThat(Files.getPosixFilePermissions(tokenFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(tokenFile().getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        String token = Files.readString(tokenFile());
        assertThat(token).matches("[0-9a-f]{64}");
        try (var files = Files.list(tokenFile().getParent())) {
            assertThat(files).containsExactly(tokenFile()); // no temp file left behind
        }

        first.close();
        assertThat(tokenFile()).doesNotExist();

        ControlServer second = started();
        assertThat(Files.readString(tokenFile())).matches("[0-9a-f]{64}").isNotEqualTo(token);
        assertThat(clientOf(second).status()).isEqualTo(SampleViews.office());
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        ControlServer server = started();
        assertThat(server.endpoint()).isEqualTo("tcp:127.0.0.1:" + server.port());

        List<InetAddress> others = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .toList();
        assumeThat(others).as("this machine has a non-loopback IPv4 address").isNotEmpty();
        for (InetAddress other : others) {
            try (Socket s = new Socket()) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress(other, server.port()), 2000))
                        .as("connecting to %s:%d", other.getHostAddress(), server.port())
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void aTakenPortIsAClearErrorAndLeavesTheRunningDaemonsTokenAlone() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, RawClient.LOOPBACK)) {
            Files.createDirectories(tokenFile().getParent());
            Files.writeString(tokenFile(), "the running daemon's token");
            ControlServer server = new ControlServer(service, new ControlConfig(other.getLocalPort(), tokenFile()));
            toClose.push(server);

            assertThatThrownBy(server::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1:" + other.getLocalPort());
            assertThat(Files.readString(tokenFile())).isEqualTo("the running daemon's token");
        }
    }

    @Test
    void closeEndsEveryControlThread() throws Exception {
        ControlServer server = started();
        clientOf(server).status();
        Socket idle = new Socket(RawClient.LOOPBACK, server.port()); // holds a worker in its read
        toClose.push(idle);
        assertThat(controlThreads()).isPositive();

        server.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> controlThreads() == 0);
    }

    static long controlThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("clusterd-control"))
                .count();
    }
}
