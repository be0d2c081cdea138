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
 * systemd is not PID 1 on the build machines, so the agent is driven against a fake systemctl that
 * behaves like the real one for one unit: is-active prints the state (exit 0 only when active), start and
 * stop change it, and their exit codes can be forced.
 */
class SystemdAgentTest {
    private static final String FAKE_SYSTEMCTL = """
            #!/bin/sh
            echo "$*" >> "$D/calls"
            state=$(cat "$D/state")
            case "$1" in
            is-active) echo "$state"; [ "$state" = active ] ;;
            start) [ -f "$D/start-exit" ] && { echo "Job for $2 failed." >&2; echo failed > "$D/state"; exit "$(cat "$D/start-exit")"; }
                   echo active > "$D/state" ;;
            stop)  [ -f "$D/stop-exit" ] && { echo "Unit $2 not loaded." >&2; exit "$(cat "$D/stop-exit")"; }
                   echo inactive > "$D/state" ;;
            *) exit 1 ;;
            esac
            """;

    @TempDir
    Path dir;

    private ResourceAgent agent;

    @BeforeEach
    void setUp() throws IOException {
        Path systemctl = TestSupport.script(dir, "systemctl", FAKE_SYSTEMCTL);
        state("inactive");
        agent = new SystemdAgent(new ResourceConfig.Systemd("web", "nginx.service", 5_000, 10_000),
                Map.of("D", dir.toString()), new CommandRunner(), Shell.quote(systemctl.toString()));
    }

    private void state(String state) throws IOException {
        Files.writeString(dir.resolve("state"), state);
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    @ParameterizedTest(name = "is-active {0} is {1}")
    @CsvSource({"active, RUNNING", "activating, RUNNING", "reloading, RUNNING", "deactivating, RUNNING",
            "inactive, STOPPED", "failed, FAILED", "maintenance, UNKNOWN", "'', UNKNOWN"})
    void mapsIsActiveAnswers(String answer, Status expected) throws IOException {
        state(answer);

        assertThat(agent.status()).isEqualTo(expected);
        assertThat(calls()).containsExactly("is-active nginx.service");
    }

    @Test
    void startsAndStopsTheUnit() throws IOException {
        assertThat(agent.start().ok()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.RUNNING);
        assertThat(agent.stop().ok()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
        assertThat(calls()).containsExactly("start nginx.service", "is-active nginx.service",
                "stop nginx.service", "is-active nginx.service");
    }

    @Test
    void aFailedStartReportsSystemctlsMessage() throws IOException {
        Files.writeString(dir.resolve("start-exit"), "1");

        Outcome started = agent.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.detail()).contains("exit 1").contains("Job for nginx.service failed.");
        assertThat(agent.status()).isEqualTo(Status.FAILED);
    }

    @Test
    void aFailingStopOfAnInactiveOrFailedUnitSucceeds() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "5");

        state("inactive");
        assertThat(agent.stop().ok()).isTrue();
        state("failed");
        assertThat(agent.stop().ok()).isTrue();
    }

    @Test
    void aFailingStopOfAnActiveUnitFails() throws IOException {
        Files.writeString(dir.resolve("stop-exit"), "1");
        state("active");

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("status RUNNING");
    }

    @Test
    void theProductionAgentCallsSystemctl() {
        ResourceAgent real = ResourceAgents.create(
                new ResourceConfig.Systemd("web", "nginx.service", 5_000, 10_000), Map.of());

        assertThat(real).isInstanceOf(SystemdAgent.class);
        assertThat(((SystemdAgent) real).statusCommand()).isEqualTo("systemctl is-active 'nginx.service'");
    }
}
