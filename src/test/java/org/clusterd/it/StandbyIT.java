package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;
import static org.clusterd.it.ClusterFixture.WEB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.clusterd.it.ClusterFixture.CliResult;
import org.clusterd.it.ClusterFixture.Timers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standby lock file and the operator commands (standby, join, failover, failback) through the CLI. */
@Timeout(240)
class StandbyIT {
    private static final Duration WITHIN = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    @Test
    void nodeStartingWithItsStandbyLockStaysInStandbyAndItsPeerKeepsTheGroups() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "nodeStartingWithItsStandbyLock")) {
            Files.createDirectories(c.stateDir(ALPHA));
            Files.writeString(c.standbyLock(ALPHA), "hardware fault: memory errors; remove with clusterd join\n");
            c.start(BETA);
            c.start(ALPHA);
            c.awaitLog(ALPHA, "standby lock true", WITHIN);

            c.awaitSoleServer(WEB, BETA, WITHIN.plusMillis(c.timers().initDeadMs()));
            c.awaitSoleServer(MAIL, BETA, WITHIN);
            c.holdsFor("alpha runs nothing", Duration.ofSeconds(3),
                    () -> c.runningNow(WEB).equals(Set.of(BETA)) && c.runningNow(MAIL).equals(Set.of(BETA)));
            assertThat(c.standbyLock(ALPHA)).exists();
            assertThat(c.node(ALPHA).isAlive()).isTrue();
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void standbyCommandMovesTheGroupsWritesTheLockAndSurvivesARestartUntilJoin() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "standbyCommandAndJoin")) {
            c.startSteady();

            CliResult standby = c.cli(ALPHA, "standby");
            assertThat(standby.exitCode()).as(standby.toString()).isZero();
            c.awaitSoleServer(WEB, BETA, WITHIN);
            c.awaitCondition("alpha's standby lock written", WITHIN, () -> Files.exists(c.standbyLock(ALPHA)));
            c.awaitEvent(ALPHA, "StandbyEntered", WITHIN);

            c.terminate(ALPHA);
            assertThat(c.awaitExit(ALPHA, WITHIN)).isTrue();
            c.start(ALPHA);
            c.awaitLog(ALPHA, "standby lock true", WITHIN);
            c.holdsFor("alpha stays in standby after its restart", Duration.ofSeconds(3),
                    () -> c.runningNow(WEB).equals(Set.of(BETA)));
            assertThat(c.status(ALPHA).path("state").asText()).isEqualToIgnoringCase("STANDBY");

            CliResult join = c.cli(ALPHA, "join");
            assertThat(join.exitCode()).as(join.toString()).isZero();
            c.awaitSoleServer(WEB, ALPHA, WITHIN);
            assertThat(c.standbyLock(ALPHA)).doesNotExist();
            c.awaitSoleServer(MAIL, BETA, WITHIN);
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void failoverCommandMovesTheGroupNowAndFailbackBringsItHome() throws Exception {
        // A long dead time: a move that waited for it would not finish within the bound below.
        Timers timers = new Timers(100, 300, 6000, 6000);
        try (ClusterFixture c = ClusterFixture.create(dir, timers, "failoverCommandAndFailback")) {
            c.startSteady();

            ClusterFixture.LogMark betaMark = c.mark(BETA);
            long asked = System.nanoTime();
            CliResult failover = c.cli(ALPHA, "failover", WEB);
            assertThat(failover.exitCode()).as(failover.toString()).isZero();
            Duration moved = c.awaitServedBy(WEB, BETA, Duration.ofMillis(timers.deadMs()));
            Measurements.report("failoverCommandMovesTheGroupNow", "clusterd failover web -> answering on beta",
                    Duration.ofNanos(System.nanoTime() - asked).toMillis() + " ms (after the command returned: "
                            + moved.toMillis() + " ms)");
            c.awaitSoleServer(WEB, BETA, WITHIN);
            c.holdsFor("web does not fail back by itself after an operator moved it", Duration.ofSeconds(3),
                    () -> c.runningNow(WEB).equals(Set.of(BETA)));

            CliResult failback = c.cli(ALPHA, "failback", WEB);
            assertThat(failback.exitCode()).as(failback.toString()).isZero();
            c.awaitSoleServer(WEB, ALPHA, WITHIN);
            assertThat(c.peerDeclaredDeadAfter(betaMark)).as("moved by handover, no node declared dead").isEmpty();
            c.assertNeverTwoOwners();
        }
    }
}
