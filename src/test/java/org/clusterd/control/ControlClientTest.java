package org.clusterd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.clusterd.config.ControlConfig;
import org.clusterd.control.ControlException.Kind;
import org.clusterd.harness.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the client tells the operator when the daemon is absent, unreachable for this user, or odd. */
class ControlClientTest {
    @TempDir
    Path dir;

    private static void assertFails(ThrowingCallable call, Kind kind, String message) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(message);
    }

    @Test
    void noDaemonAndNoTokenFileIsNotRunning() {
        int port = FreePorts.next();
        ControlClient client = new ControlClient(new ControlConfig(port, dir.resolve("control.token")));

        assertFails(client::status, Kind.NOT_RUNNING, "no clusterd daemon answers on 127.0.0.1:" + port);
    }

    @Test
    void aStaleTokenFileWithoutDaemonIsNotRunning() throws IOException {
        int port = FreePorts.next();
        Files.writeString(dir.resolve("control.token"), "ab".repeat(32));
        ControlClient client = new ControlClient(new ControlConfig(port, dir.resolve("control.token")));

        assertFails(() -> client.command("standby", null), Kind.NOT_RUNNING, "no clusterd daemon answers on 127.0.0.1:" + port);
    }

    @Test
    void anUnreadableTokenFileSaysWhoMayReadIt() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("control.token"));
        ControlClient client = new ControlClient(new ControlConfig(FreePorts.next(), notAFile));

        assertFails(client::status, Kind.ACCESS, "cannot read token file " + notAFile);
        assertFails(client::status, Kind.ACCESS, "are you root / the daemon's user?");
    }

    @Test
    void aMissingTokenFileWhileSomethingListensPointsAtTheConfiguration() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, RawClient.LOOPBACK)) {
            ControlClient client = new ControlClient(new ControlConfig(listener.getLocalPort(), dir.resolve("control.token")));

            assertFails(client::status, Kind.ACCESS, "does not exist although something listens");
        }
    }

    @Test
    void aStaleTokenIsTheDaemonsRefusal() throws IOException {
        Path tokenFile = dir.resolve("control.token");
        try (ControlServer server = new ControlServer(new FakeClusterService(SampleViews.office()), new ControlConfig(0, tokenFile))) {
            server.start();
            Files.writeString(tokenFile, "cd".repeat(32));
            ControlClient client = new ControlClient(new ControlConfig(server.port(), tokenFile));

            assertFails(client::status, Kind.FAILED, "the daemon refused the request: missing or wrong token");
        }
    }

    @Test
    void anotherProgramOnThePortIsNotMistakenForTheDaemon() throws Exception {
        Files.writeString(dir.resolve("control.token"), "ab".repeat(32));
        try (ServerSocket listener = new ServerSocket(0, 50, RawClient.LOOPBACK)) {
            Thread http = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // test ends
                }
            });
            http.start();
            ControlClient client = new ControlClient(new ControlConfig(listener.getLocalPort(), dir.resolve("control.token")));

            assertFails(client::status, Kind.FAILED, "not a clusterd answer");
            http.join(5000);
        }
    }

    @Test
    void aDaemonThatNeverAnswersTimesOut() throws Exception {
        Files.writeString(dir.resolve("control.token"), "ab".repeat(32));
        try (ServerSocket listener = new ServerSocket(0, 50, RawClient.LOOPBACK)) { // accepts (backlog), never answers
            ControlClient client = new ControlClient(new ControlConfig(listener.getLocalPort(), dir.resolve("control.token")),
                    new ControlClient.Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(300)));

            assertFails(client::status, Kind.FAILED, "did not answer within");
        }
    }
}
