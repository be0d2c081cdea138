package org.clusterd.it;

import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;
import static org.clusterd.it.ClusterFixture.WEB;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.clusterd.harness.UdpRelay;
import org.clusterd.it.ClusterFixture.LogMark;
import org.clusterd.it.ClusterFixture.Timers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers the closing note reports, measured on real processes and printed (never asserted):
 * kill -9 of a node to its group answering on the peer (default and fast timers), graceful
 * handover, resident memory of an idle node and its start-up time to the first heartbeat.
 *
 * <p>Runs per measurement: system property {@code clusterd.it.timingRuns} (default 3, which keeps
 * CI quick; use 5 or more for the note). Each run ends with the cluster back in its steady state,
 * and no run may leave a group on two nodes at once.
 */
@Timeout(900)
class FailoverTimingIT {
    private static final int RUNS = Integer.getInteger("clusterd.it.timingRuns", 3);
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final Timers FAST_100_500 = new Timers(100, 300, 500, 2000);

    @TempDir
    Path dir;

    /** Times, over all restarts of alpha, from the process start to its first datagram and to beta's NodeUp. */
    private final List<Long> toFirstDatagram = new ArrayList<>();
    private final List<Long> toPeerNodeUp = new ArrayList<>();

    @Test
    void killToAnsweringOnThePeerWithDefaultTimersAndIdleNodeFootprint() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.DEFAULT, "timing-default")) {
            startMeasured(c);
            c.awaitSteady(WITHIN);
            c.holdsFor("idle cluster stays steady", Duration.ofSeconds(5), () -> c.whoServes(WEB).isPresent());
            Measurements.report("timing", "VmRSS of an idle node (daemon JVM, -Xmx128m)",
                    "alpha " + c.residentKib(ALPHA) / 1024 + " MiB, beta " + c.residentKib(BETA) / 1024 + " MiB");

            List<Long> takeovers = crashRuns(c);
            Measurements.report("timing", "kill -9 node -> group answering on peer, default timers 500/1500/3000 ms",
                    Measurements.summary(takeovers));
            reportStartup();
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void killToAnsweringOnThePeerWithFastTimers() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, FAST_100_500, "timing-fast")) {
            startMeasured(c);
            c.awaitSteady(WITHIN);
            List<Long> takeovers = crashRuns(c);
            Measurements.report("timing", "kill -9 node -> group answering on peer, interval 100 ms / dead 500 ms",
                    Measurements.summary(takeovers));
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void gracefulHandoverTime() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.DEFAULT, "timing-handover")) {
            startMeasured(c);
            c.awaitSteady(WITHIN);
            List<Long> handovers = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                long t0 = System.nanoTime();
                c.terminate(ALPHA);
                c.awaitServedBy(WEB, BETA, WITHIN);
                handovers.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
                if (!c.awaitExit(ALPHA, WITHIN)) {
                    throw c.failure("alpha did not exit after SIGTERM", null);
                }
                restartAlphaAndSettle(c);
            }
            Measurements.report("timing", "SIGTERM -> group answering on peer (graceful handover, default timers)",
                    Measurements.summary(handovers));
            c.assertNeverTwoOwners();
        }
    }

    private List<Long> crashRuns(ClusterFixture c) throws Exception {
        List<Long> takeovers = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            LogMark betaMark = c.mark(BETA);
            long crashedAt = System.currentTimeMillis();
            long t0 = System.nanoTime();
            c.crash(ALPHA);
            c.awaitServedBy(WEB, BETA, WITHIN);
            takeovers.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
            detections.add(ClusterFixture.timeOf(c.awaitEventAfter(betaMark, "TakeoverStarted", WITHIN)) - crashedAt);
            restartAlphaAndSettle(c);
        }
        Measurements.report("timing", "  of which kill -9 -> peer logs TakeoverStarted (dead " + c.timers().deadMs()
                + " ms; the rest is the service's start)", Measurements.summary(detections));
        return takeovers;
    }

    private void restartAlphaAndSettle(ClusterFixture c) throws Exception {
        c.awaitSoleServer(WEB, BETA, WITHIN);
        startAlphaMeasured(c);
        c.awaitSoleServer(WEB, ALPHA, WITHIN);
        c.awaitSoleServer(MAIL, BETA, WITHIN);
    }

    private void startMeasured(ClusterFixture c) throws Exception {
        c.start(BETA);
        startAlphaMeasured(c);
    }

    /** Starts alpha and records when its first heartbeat left it and when beta logged it up. */
    private void startAlphaMeasured(ClusterFixture c) throws Exception {
        UdpRelay out = c.relayFrom(ALPHA, 0);
        long before = out.received();
        LogMark betaMark = c.mark(BETA);
        long t0 = System.nanoTime();
        long startedAt = System.currentTimeMillis();
        c.start(ALPHA);
        c.awaitCondition("alpha's first heartbeat", WITHIN, () -> out.received() > before);
        toFirstDatagram.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
        String nodeUp = c.awaitEventAfter(betaMark, "NodeUp", WITHIN);
        toPeerNodeUp.add(ClusterFixture.timeOf(nodeUp) - startedAt);
    }

    private void reportStartup() {
        Measurements.report("timing", "node start-up: process start -> first heartbeat datagram (seen by the relay)",
                Measurements.summary(toFirstDatagram));
        Measurements.report("timing", "node start-up: process start -> peer logs NodeUp",
                Measurements.summary(toPeerNodeUp));
    }
}
