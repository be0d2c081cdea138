package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;
import org.clusterd.resource.ResourceAgent.Outcome;
import org.clusterd.resource.ResourceAgent.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fake init script (in a directory with a space, to check quoting) whose status exit code is read
 * from a file, and whose start/stop exit codes can be forced.
 */
class LsbAgentTest {
    private static final String INIT_SCRIPT = """
            #!/bin/sh
            echo "$1" >> "$D/calls"
            case "$1" in
            start) [ -f "$D/start-exit" ] && exit "$(cat "$D/start-exit")"; echo 0 > "$D/status-exit" ;;
            stop)  [ -f "$D/stop-exit" ] && exit "$(cat "$D/stop-exit")"; echo 3 > "$D/status-exit" ;;
            status) exit "$(cat "$D/status-exit")" ;;
            *) exit 2 ;;
            esac
            """;

    @TempDir
    Path dir;

    private ResourceAgent agent;

    @BeforeEach
    void setUp() throws IOException {
        Path script = TestSupport.script(dir, "init d/fake service", INIT_SCRIPT);
        Files.writeString(dir.resolve("status-exit"), "3");
        agent = ResourceAgents.create(new ResourceConfig.Lsb("fake", script, 5_000, 10_000),
                Map.of("D", dir.toString()), new CommandRunner());
    }

    private void statusExits(int code) throws IOException {
        Files.writeString(dir.resolve("status-exit"), Integer.toString(code));
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    @ParameterizedTest(name = "status exit {0} is {1}")
    @CsvSource({"0, RUNNING", "1, FAILED", "2, FAILED", "3, STOPPED", "4, UNKNOWN", "150, UNKNOWN", "127, UNKNOWN"})
    void mapsLsbStatusExitCodes(int exit, Status expected) throws IOException {
        statusExits(exit);

        assertThat(agent.status()).isEqualTo(expected);
    }

    @Test
    void startsAStoppedServiceAndStopsIt() throws IOException {
        assertThat(agent.start().ok()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.RUNNING);
        assertThat(agent.stop().ok()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
        assertThat(calls()).containsExactly("status", "start", "status", "stop", "status");
    }

    @Test
    void startOfARunningServiceDoesNotCallStart() throws IOException {
        statusExits(0);

        assertThat(agent.start()).isEqualTo(Outcome.ok("already running"));
        assertThat(calls()).containsExactly("status");
    }

    @Test
    void startOfADeadServiceWithAPidFileCallsStart() throws IOException {
        statusExits(1);

        assertThat(agent.start().ok()).isTrue();
        assertThat(calls()).containsExactly("status", "start");
    }

    @Test
    void aStopThatExitsNonZeroOnAStoppedServiceStillSucceeds() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "1");

        assertThat(agent.stop().ok()).isTrue();
        assertThat(calls()).containsExactly("stop", "status");
    }

    @Test
    void aStopThatLeavesOnlyAStalePidFileSucceeds() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "1");
        statusExits(1);

        assertThat(agent.stop().ok()).isTrue();
    }

    @Test
    void aStopThatLeavesTheServiceRunningFails() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "1");
        statusExits(0);

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("status RUNNING");
    }

    @Test
    void aStopWhoseStatusIsUnknownFails() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "1");
        statusExits(4);

        assertThat(agent.stop().ok()).isFalse();
    }

    @Test
    void aFailingStartFails() throws IOException {
        Files.writeString(dir.resolve("start-exit"), "7");

        Outcome started = agent.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.detail()).contains("exit 7");
    }
}
