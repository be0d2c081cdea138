package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;
import org.clusterd.resource.ResourceAgent.Outcome;
import org.clusterd.resource.ResourceAgent.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.resource.TestSupport.awaitGone;
import static org.clusterd.resource.TestSupport.log;
import static org.clusterd.resource.TestSupport.pid;
import static org.clusterd.resource.TestSupport.running;

class ExecAgentTest {
    @TempDir
    Path dir;

    private final CommandRunner runner = new CommandRunner();

    @AfterEach
    void killLeftovers() throws IOException {
        TestSupport.killPidFiles(dir);
    }

    private ResourceAgent agent(ResourceConfig.Exec config) {
        return ResourceAgents.create(config, Map.of(), runner);
    }

    private ResourceConfig.Exec commands(String start, String stop, String status, long timeoutMs) {
        return new ResourceConfig.Exec("cmd", start, stop, status, Map.of("D", dir.toString()), timeoutMs, 10_000);
    }

    @Test
    void startsChecksAndStopsAServiceThatRunsInTheBackground() throws IOException {
        ResourceAgent agent = agent(TestSupport.service(dir, "db", Map.of()));
        assertThat(agent.status()).isEqualTo(Status.STOPPED);

        Outcome started = agent.start();

        assertThat(started.ok()).as(started.detail()).isTrue();
        long pid = pid(dir.resolve("db.pid"));
        assertThat(running(pid)).isTrue();
        assertThat(agent.status()).isEqualTo(Status.RUNNING);

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).as(stopped.detail()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
        awaitGone(pid);
    }

    @Test
    void startOfARunningResourceSucceedsWithoutRunningTheStartCommandAgain() throws IOException {
        ResourceAgent agent = agent(TestSupport.service(dir, "db", Map.of()));
        assertThat(agent.start().ok()).isTrue();
        long pid = pid(dir.resolve("db.pid"));

        Outcome again = agent.start();

        assertThat(again).isEqualTo(Outcome.ok("already running"));
        assertThat(pid(dir.resolve("db.pid"))).isEqualTo(pid);
        assertThat(log(dir)).containsExactly("start db");
    }

    @Test
    void stopOfAStoppedResourceSucceeds() throws IOException {
        ResourceAgent agent = agent(TestSupport.service(dir, "db", Map.of()));

        assertThat(agent.stop().ok()).isTrue();
        assertThat(agent.stop().ok()).isTrue();
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
    }

    @Test
    void aFailingStopCommandStillSucceedsWhenStatusSaysStopped() {
        ResourceAgent agent = agent(commands("true", "echo not running; exit 1", "exit 3", 5_000));

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).isTrue();
        assertThat(stopped.detail()).contains("status is STOPPED").contains("not running");
    }

    @Test
    void aStopThatLeavesTheResourceRunningFailsWithTheCommandOutput() {
        ResourceAgent agent = agent(commands("true", "echo device busy; exit 1", "true", 5_000));

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("status RUNNING").contains("exit 1").contains("device busy");
    }

    @Test
    void aFailingStartReportsTheOutput() {
        ResourceAgent agent = agent(commands("echo port in use; exit 2", "true", "exit 1", 5_000));

        Outcome started = agent.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.detail()).contains("exit 2").contains("port in use");
    }

    @Test
    void aStatusCommandThatCannotBeFoundIsUnknownSoAFailedStopIsNotMistakenForStopped() {
        ResourceAgent agent = agent(commands("true", "/no/such/stop", "/no/such/status", 5_000));

        assertThat(agent.status()).isEqualTo(Status.UNKNOWN);
        Outcome stopped = agent.stop();
        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("status UNKNOWN").contains("exit 127");
    }

    @Test
    void aStatusCheckThatTimesOutIsUnknown() {
        ResourceAgent agent = agent(commands("true", "true", "sleep 30", 300));

        assertThat(agent.status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void aStartThatTimesOutFailsAndWhatItStartedIsKilled() throws IOException {
        ResourceAgent agent = agent(commands(
                "sleep 300 & echo $! > \"$D/half.pid\"; sleep 300", "true", "exit 3", 1_000));

        Outcome started = agent.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.detail()).contains("timed out");
        awaitGone(pid(dir.resolve("half.pid")));
    }

    @Test
    void commandsSeeTheGroupTheResourceItsOwnEnvironmentAndTheExtraVariables() throws IOException {
        ResourceConfig.Exec config = new ResourceConfig.Exec("web",
                "echo \"$CLUSTERD_GROUP|$CLUSTERD_RESOURCE|$CLUSTERD_NODE|$OWN\" > \"$D/env\"", "true", "exit 1",
                Map.of("OWN", "own value", "D", dir.toString()), 5_000, 10_000);
        ResourceAgent agent = ResourceAgents.create(config,
                Map.of(ResourceAgents.GROUP_VAR, "shop", "CLUSTERD_NODE", "alpha"), runner);

        assertThat(agent.start().ok()).isTrue();

        assertThat(Files.readString(dir.resolve("env")).strip()).isEqualTo("shop|web|alpha|own value");
    }
}
