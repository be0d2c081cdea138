package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;
import static org.clusterd.it.ClusterFixture.STOP_ALLOWANCE_MILLIS;
import static org.clusterd.it.ClusterFixture.WEB;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.clusterd.harness.Journal;
import org.clusterd.it.ClusterFixture.Timers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hung daemon (SIGSTOP of the daemon JVM only) and a crash of the daemon alone (kill -9 of the
 * JVM; its services keep running unsupervised). Without fencing the peer cannot tell these from a
 * dead node, so an overlap is possible; the daemon must end it as soon as it runs again.
 */
@Timeout(180)
class FreezeAndDaemonCrashIT {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void daemonFrozenForLessThanTheDeadTimeChangesNothing() throws Exception {
        // interval 100 ms, dead 1 s: a 400 ms freeze leaves 500 ms of margin.
        Timers timers = new Timers(100, 300, 1000, 5000);
        try (ClusterFixture c = ClusterFixture.create(dir, timers, "daemonFrozenForLessThanTheDeadTimeChangesNothing")) {
            c.startSteady();

            java.util.Map<String, ClusterFixture.LogMark> marks = c.markAll();
            c.freeze(ALPHA);
            Faults.lasting(Duration.ofMillis(400));
            c.resume(ALPHA);

            c.holdsFor("each group stays home", Duration.ofSeconds(4),
                    () -> c.runningNow(WEB).equals(Set.of(ALPHA)) && c.runningNow(MAIL).equals(Set.of(BETA)));
            c.assertNothingMovedAfter(marks);
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void daemonFrozenForLongerThanTheDeadTimeStopsTheGroupItsPeerTookOver() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "daemonFrozenForLongerThanTheDeadTime")) {
            c.startSteady();

            c.freeze(ALPHA);
            c.awaitEvent(BETA, "TakeoverStarted", WITHIN);
            // beta's web is up while frozen alpha's web service still runs: the unavoidable overlap.
            c.awaitRunningOn(WEB, Set.of(ALPHA, BETA), WITHIN);
            Faults.lasting(Duration.ofSeconds(1));
            long resumedAt = System.currentTimeMillis();
            c.resume(ALPHA);

            c.awaitEvent(ALPHA, "LocalPause", WITHIN);
            // web comes home by automatic failback, one owner at a time; then the journal is complete.
            c.awaitSoleServer(WEB, ALPHA, WITHIN);
            c.awaitSoleServer(MAIL, BETA, WITHIN);

            long overlapEnd = c.overlapEndAfter(resumedAt);
            long overlap = c.overlaps().stream().mapToLong(Journal.Overlap::durationMillis).max().orElse(0);
            Measurements.report("daemonFrozenForLongerThanTheDeadTime",
                    "overlap end after SIGCONT (dead " + c.timers().deadMs() + " ms)",
                    overlapEnd + " ms; whole overlap " + overlap + " ms; overlaps " + c.overlaps());
            assertThat(c.overlaps()).as("one overlap, of web, from the freeze").hasSize(1);
            assertThat(overlapEnd).isBetween(0L, c.timers().deadMs() + STOP_ALLOWANCE_MILLIS);
        }
    }

    @Test
    void restartedDaemonStopsAtOnceTheGroupItsPeerNowOwns() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "restartedDaemonStopsAtOnceTheGroupItsPeerNowOwns")) {
            c.startSteady();

            c.crashDaemonOnly(ALPHA);
            c.awaitEvent(BETA, "TakeoverStarted", WITHIN);
            c.awaitRunningOn(WEB, Set.of(ALPHA, BETA), WITHIN);
            long restartedAt = System.currentTimeMillis();
            ClusterFixture.LogMark alphaMark = c.mark(ALPHA);
            c.start(ALPHA);

            c.awaitEvent(ALPHA, "OrphanFound", WITHIN);
            c.awaitSoleServer(WEB, ALPHA, WITHIN);
            c.awaitSoleServer(MAIL, BETA, WITHIN);

            // Measured from the moment the restarted daemon's links were open (its JVM start-up, which
            // varies with the machine's load, is reported apart).
            long listeningAt = ClusterFixture.timeOf(c.awaitLogAfter(alphaMark, "listening for", WITHIN));
            long overlapEnd = c.overlapEndAfter(listeningAt);
            Measurements.report("restartedDaemonStopsAtOnceTheGroupItsPeerNowOwns",
                    "overlap end after the restarted daemon opened its links (dead " + c.timers().deadMs() + " ms)",
                    overlapEnd + " ms; JVM start-up to that point " + (listeningAt - restartedAt)
                            + " ms; overlaps " + c.overlaps());
            assertThat(c.overlaps()).as("one overlap, of web, from the daemon crash").hasSize(1);
            assertThat(overlapEnd).isBetween(0L, c.timers().deadMs() + STOP_ALLOWANCE_MILLIS);
        }
    }

    @Test
    void daemonRestartedWithinTheDeadTimeAdoptsItsRunningGroup() throws Exception {
        // As systemd's Restart=on-failure would do: the daemon is back well within the dead time. The
        // dead time is 8 s because a daemon JVM takes 1-4 s to start on a loaded 2-core machine.
        // Three crash/restart cycles, because the outcome depends on a race (see below).
        Timers timers = new Timers(200, 600, 8000, 8000);
        try (ClusterFixture c = ClusterFixture.create(dir, timers, "daemonRestartedWithinTheDeadTimeAdoptsItsRunningGroup")) {
            c.startSteady();
            long servicePid = c.journal().intervals(WEB).get(0).pid();
            ClusterFixture.LogMark betaMark = c.mark(BETA);
            List<String> decisions = new ArrayList<>();
            for (int cycle = 0; cycle < 3; cycle++) {
                ClusterFixture.LogMark alphaMark = c.mark(ALPHA);
                long crashedAt = System.currentTimeMillis();
                c.crashDaemonOnly(ALPHA);
                // From the second cycle on, alpha's heartbeats reach beta 300 ms late (a slow network):
                // the restarted alpha then surely hears beta before beta has heard it, the case the
                // race below turns on. The first cycle leaves it to chance.
                long delay = cycle == 0 ? 0 : 300;
                for (int i = 0; i < c.linkCount(); i++) {
                    c.relayFrom(ALPHA, i).setDelayMillis(delay);
                }
                c.start(ALPHA);
                decisions.add(c.awaitEventAfter(alphaMark, "OrphanFound", WITHIN));
                for (int i = 0; i < c.linkCount(); i++) {
                    c.relayFrom(ALPHA, i).setDelayMillis(0);
                }
                long backAt = ClusterFixture.timeOf(c.awaitLogAfter(alphaMark, "listening for", WITHIN));
                Measurements.report("daemonRestartedWithinTheDeadTime", "daemon kill -9 -> restarted daemon listening",
                        (backAt - crashedAt) + " ms (dead time " + timers.deadMs() + " ms)");
                // Settled before the next cycle: web runs on alpha (adopted, or restarted after the bug
                // below) and no start or stop is in flight.
                c.awaitCondition("web runs on alpha only, nothing in flight", WITHIN,
                        () -> c.groupOperationsIdle() && c.runningNow(WEB).equals(Set.of(ALPHA)));
                c.holdsFor("web stays on alpha", Duration.ofMillis(500), () -> c.runningNow(WEB).equals(Set.of(ALPHA)));
            }
            c.holdsFor("web stays on alpha only", Duration.ofSeconds(2), () -> c.runningNow(WEB).equals(Set.of(ALPHA)));

            assertThat(c.peerDeclaredDeadAfter(betaMark)).as("beta never declared alpha dead").isEmpty();
            c.assertNeverTwoOwners();
            // Once a bug: the restarted daemon decided about its orphan on the first heartbeat it heard,
            // before the peer had heard its new incarnation, and stopped its own home group. With the
            // 300 ms delay that happened every time; now the orphan stays undecided until the peer knows us.
            assertThat(decisions).as("alpha adopts its own running home group every time")
                    .allMatch(d -> d.contains("adopted"));
            assertThat(c.journal().intervals(WEB)).as("the same web service process, adopted").allMatch(
                    i -> i.pid() == servicePid);
        }
    }
}
