package org.clusterd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.clusterd.config.ControlConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Whatever arrives on the control port, the server answers or closes, counts it, never submits a
 * command for it, and keeps serving valid requests. Read timeout shortened to 500 ms to keep tests fast.
 */
class ControlServerHostileInputTest {
    private static final String WRONG_TOKEN = "missing or wrong token";

    @TempDir
    Path dir;

    private final FakeClusterService service = new FakeClusterService(SampleViews.office());
    private ControlServer server;
    private String token;
    private ListAppender<ILoggingEvent> logged;

    @BeforeEach
    void start() throws IOException {
        Path tokenFile = dir.resolve("control.token");
        server = new ControlServer(service, new ControlConfig(0, tokenFile),
                new ControlServer.Settings(Duration.ofMillis(500), Duration.ofSeconds(60), 4, 32));
        server.start();
        token = Files.readString(tokenFile);
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(ControlServer.class)).addAppender(logged);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(ControlServer.class)).detachAppender(logged);
        server.close();
    }

    private String send(String line) throws IOException {
        return RawClient.exchange(server.port(), line);
    }

    private void assertStillServes() throws IOException {
        String answer = send("{\"token\":\"" + token + "\",\"op\":\"status\"}");
        assertThat(answer).startsWith("{\"ok\":true,\"view\":{\"cluster\":\"office\"");
    }

    @Test
    void wrongTokenIsRejected() throws IOException {
        String answer = send("{\"token\":\"" + "0".repeat(64) + "\",\"op\":\"standby\"}");

        assertThat(answer).isEqualTo("{\"ok\":false,\"error\":\"" + WRONG_TOKEN + "\"}");
        assertThat(server.rejected()).isEqualTo(1);
        assertThat(service.submitted()).isEmpty();
        assertStillServes();
    }

    @Test
    void missingEmptyOrNonStringTokenIsRejected() throws IOException {
        assertThat(send("{\"op\":\"standby\"}")).contains(WRONG_TOKEN);
        assertThat(send("{\"token\":\"\",\"op\":\"standby\"}")).contains(WRONG_TOKEN);
        assertThat(send("{\"token\":null,\"op\":\"standby\"}")).contains(WRONG_TOKEN);
        assertThat(send("{\"token\":[\"" + token + "\"],\"op\":\"standby\"}")).contains(WRONG_TOKEN);
        assertThat(send("{\"token\":\"" + token + "x\",\"op\":\"standby\"}")).contains(WRONG_TOKEN);

        assertThat(server.rejected()).isEqualTo(5);
        assertThat(service.submitted()).isEmpty();
    }

    @Test
    void unknownOpAndMissingGroupAreRejectedEvenWithTheToken() throws IOException {
        assertThat(send("{\"token\":\"" + token + "\",\"op\":\"shutdown\"}")).contains("unknown op");
        assertThat(send("{\"token\":\"" + token + "\"}")).contains("unknown op");
        assertThat(send("{\"token\":\"" + token + "\",\"op\":\"failover\"}")).contains("needs a group");
        assertThat(send("{\"token\":\"" + token + "\",\"op\":\"failback\",\"group\":\"  \"}")).contains("needs a group");

        assertThat(server.rejected()).isEqualTo(4);
        assertThat(service.submitted()).isEmpty();
    }

    @Test
    void notJsonIsRejected() throws IOException {
        assertThat(send("status")).contains("not a JSON object");
        assertThat(send("[\"" + token + "\"]")).contains("not a JSON object");
        assertThat(send("{\"token\":")).contains("not a JSON object");
        assertThat(send("")).contains("not a JSON object");

        assertThat(server.rejected()).isEqualTo(4);
        assertStillServes();
    }

    @Test
    void aHundredKibLineIsCutOffAfterFourKib() throws IOException {
        byte[] huge = ("{\"token\":\"" + token + "\",\"op\":\"status\",\"pad\":\"" + "a".repeat(100 * 1024) + "\"}\n")
                .getBytes(StandardCharsets.UTF_8);

        String answer = RawClient.exchange(server.port(), huge, false, 10_000);

        assertThat(answer).isEqualTo("{\"ok\":false,\"error\":\"request longer than 4096 bytes\"}");
        assertThat(server.rejected()).isEqualTo(1);
        assertStillServes();
    }

    @Test
    void binaryGarbageIsAnsweredOrClosed() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] garbage = new byte[1 + random.nextInt(3000)];
            random.nextBytes(garbage);

            String answer = RawClient.exchange(server.port(), garbage, true, 10_000);

            if (answer != null) {
                assertThat(answer).startsWith("{\"ok\":false,\"error\":");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.rejected() == 20);
        assertThat(service.submitted()).isEmpty();
        assertStillServes();
    }

    @Test
    void silentClientsAreTimedOutAndFreeTheirWorkers() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) { // more than the 4 workers
                Socket s = new Socket(RawClient.LOOPBACK, server.port());
                s.setSoTimeout(10_000);
                silent.add(s);
            }

            assertStillServes(); // queued behind the silent ones, served once their time is up

            for (Socket s : silent) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).isEqualTo("{\"ok\":false,\"error\":\"no complete request line in time\"}\n");
            }
            assertThat(server.rejected()).isEqualTo(6);
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    @Test
    void twoHundredRapidConnectionsAreAllAnsweredOrClosedAndCounted() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean hangUp = i % 2 == 0;
                answers.add(clients.submit(() -> hangUp
                        ? RawClient.exchange(server.port(), null, true, 10_000) // connect, send nothing, close
                        : send("{\"token\":\"nope\",\"op\":\"failover\",\"group\":\"mail\"}")));
            }
            for (Future<String> f : answers) {
                String answer = f.get();
                if (answer != null) {
                    assertThat(answer).startsWith("{\"ok\":false,\"error\":");
                }
            }
        } finally {
            clients.shutdownNow();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> server.rejected() == 200);
        assertThat(service.submitted()).isEmpty();
        assertStillServes();
    }

    @Test
    void rejectionsAreLoggedRateLimited() throws IOException {
        for (int i = 0; i < 50; i++) {
            send("{\"token\":\"nope\",\"op\":\"status\"}");
        }

        assertThat(server.rejected()).isEqualTo(50);
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(WRONG_TOKEN))
                .hasSize(1);
        assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("nope")); // contents never logged
    }
}
