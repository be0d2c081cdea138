package org.clusterd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.clusterd.cluster.Command;
import org.clusterd.config.ControlConfig;
import org.clusterd.control.ControlServer;
import org.clusterd.control.FakeClusterService;
import org.clusterd.control.Json;
import org.clusterd.control.SampleViews;
import org.clusterd.harness.FreePorts;
import org.clusterd.view.ClusterService.CommandResult;
import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status and the operator commands against a real control server with a fake cluster behind it. */
class ControlCommandsTest {
    @TempDir
    Path dir;

    private final FakeClusterService service = new FakeClusterService(SampleViews.office());
    private ControlServer server;
    private Path config;

    @BeforeEach
    void startDaemonSide() throws Exception {
        server = new ControlServer(service, new ControlConfig(0, ConfigFixtures.tokenFile(dir)));
        server.start();
        config = ConfigFixtures.write(dir, "clusterd.yaml", ConfigFixtures.yaml(server.port()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void statusPrintsTablesOfNodesLinksGroupsMirrorsAndTheLastTenEvents() {
        CliRun run = CliRun.of("status", "--config", config.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .startsWith("cluster office, node alpha: ACTIVE, cluster state degraded (since 2026-09-21T14:13:20Z:"
                        + " state changes 13, failovers 1)\n")
                .contains("NODE", "alpha (this node)", "DEAD", "42s ago")
                .containsPattern("crossover +DOWN +42s ago +1234 +17 +3 +10\\.0\\.0\\.1:694 -> 10\\.0\\.0\\.2:694")
                .containsPattern("lan +WARN +0\\.3s ago +999 +0 +0")
                .containsPattern("files +beta +alpha +RUNNING +12")
                .containsPattern("print +beta +- +STOPPED +3")
                .containsPattern("share +files +/srv/files +NEVER +never")
                .contains("EVENTS (last 10 of 13)", "event number 4", "event number 12",
                        "took over files from beta second line")
                .doesNotContain("event number 3");
    }

    @Test
    void statusJsonIsTheDaemonsView() throws Exception {
        CliRun run = CliRun.of("status", "--json", "--config", config.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("{\n");
        assertThat(Json.read(run.out(), ClusterView.class)).isEqualTo(SampleViews.office());
    }

    @Test
    void statusFindsTheConfigurationThroughTheEnvironment() {
        CliRun run = CliRun.of(Map.of("CLUSTERD_CONFIG", config.toString()), "status", "--json");

        assertThat(run.exit()).isZero();
    }

    @Test
    void statusWithoutDaemonExitsThree() throws Exception {
        int port = FreePorts.next();
        Path other = ConfigFixtures.write(dir, "stopped.yaml", ConfigFixtures.yaml(port));

        CliRun run = CliRun.of("status", "--config", other.toString());

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("no clusterd daemon answers on 127.0.0.1:" + port + "\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void statusWithABrokenConfigurationExitsTwo() throws Exception {
        Path broken = ConfigFixtures.write(dir, "broken.yaml", "cluster: office\n");

        CliRun run = CliRun.of("status", "--config", broken.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(broken + ":");
    }

    @Test
    void statusWithAStaleTokenIsAFailureNotNotRunning() throws Exception {
        Files.writeString(ConfigFixtures.tokenFile(dir), "ab".repeat(32));

        CliRun run = CliRun.of("status", "--config", config.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("missing or wrong token");
    }

    @Test
    void commandsReachTheDaemonAndPrintItsMessage() {
        CliRun standby = CliRun.of("standby", "--config", config.toString());
        CliRun join = CliRun.of("join", "-c", config.toString());
        CliRun failover = CliRun.of("failover", "mail", "--config", config.toString());
        CliRun failback = CliRun.of("failback", "--config", config.toString(), "files");

        assertThat(standby.exit()).isZero();
        assertThat(standby.out()).isEqualTo("ok: Standby[]\n");
        assertThat(join.exit()).isZero();
        assertThat(failover.exit()).isZero();
        assertThat(failover.out()).isEqualTo("ok: Failover[group=mail]\n");
        assertThat(failback.exit()).isZero();
        assertThat(service.submitted()).containsExactly(new Command.Standby(), new Command.Join(),
                new Command.Failover("mail"), new Command.Failback("files"));
    }

    @Test
    void aRefusedCommandExitsOne() {
        service.answering(c -> new CommandResult(false, "no such group: nope"));

        CliRun run = CliRun.of("failover", "nope", "--config", config.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("refused: no such group: nope\n");
    }

    @Test
    void commandsWithoutDaemonExitThree() throws Exception {
        Path other = ConfigFixtures.write(dir, "stopped.yaml", ConfigFixtures.yaml(FreePorts.next()));

        assertThat(CliRun.of("standby", "--config", other.toString()).exit()).isEqualTo(3);
        assertThat(CliRun.of("failback", "mail", "--config", other.toString()).exit()).isEqualTo(3);
    }
}
