package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;
import static org.clusterd.it.ClusterFixture.NODES;
import static org.clusterd.it.ClusterFixture.STOP_ALLOWANCE_MILLIS;
import static org.clusterd.it.ClusterFixture.WEB;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusterd.harness.LinkRelay;
import org.clusterd.it.ClusterFixture.Timers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Damaged heartbeat links: real UDP through relays the test cuts, slows and makes lossy. */
@Timeout(180)
class LinkFaultsIT {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    /** How long "nothing happens" is watched: ten dead times of the fast timers. */
    private static final Duration QUIET = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static boolean homesServed(ClusterFixture c) {
        return c.runningNow(WEB).equals(Set.of(ALPHA)) && c.runningNow(MAIL).equals(Set.of(BETA));
    }

    @Test
    void oneLinkCutIsReportedButNotActedOn() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "oneLinkCutIsReportedButNotActedOn")) {
            c.startSteady();
            Map<String, ClusterFixture.LogMark> marks = c.markAll();

            c.link(0).cut();
            for (String n : NODES) {
                c.awaitLog(n, ClusterFixture.event("LinkDown") + ".*net1", WITHIN);
            }
            c.holdsFor("each group stays on its home node", QUIET, () -> homesServed(c));

            c.assertNothingMovedAfter(marks);
            for (String n : NODES) {
                assertThat(c.logLines(n, ClusterFixture.event("LinkDown") + ".*net2")).as("net2 stays up").isEmpty();
            }
            JsonNode links = c.status(ALPHA).path("links");
            assertThat(linkUp(links, "net1")).contains(false);
            assertThat(linkUp(links, "net2")).contains(true);
            c.link(0).restore();
            for (String n : NODES) {
                c.awaitLog(n, ClusterFixture.event("LinkUp") + ".*net1", WITHIN);
            }
            c.assertNeverTwoOwners();
        }
    }

    static Optional<Boolean> linkUp(JsonNode links, String name) {
        for (JsonNode l : links) {
            if (l.path("name").asText().equals(name)) {
                return Optional.of(l.path("up").asBoolean());
            }
        }
        return Optional.empty();
    }

    @Test
    void allLinksCutBothRunThenHealingLeavesOneOwnerPerGroup() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "allLinksCutBothRunThenHealingLeavesOneOwnerPerGroup")) {
            c.startSteady();

            c.cutAllLinks();
            // Without fencing each side believes the other dead and runs both groups: expected.
            c.awaitRunningOn(WEB, Set.of(ALPHA, BETA), WITHIN);
            c.awaitRunningOn(MAIL, Set.of(ALPHA, BETA), WITHIN);

            long healedAt = System.currentTimeMillis();
            c.restoreAllLinks();
            Map<String, String> owners = c.awaitOneOwnerEach(WITHIN);
            c.awaitCondition("a node reports the split brain", WITHIN,
                    () -> !c.events(ALPHA, "SplitBrain").isEmpty() || !c.events(BETA, "SplitBrain").isEmpty());
            // Automatic failback then brings each group home, one owner at a time.
            c.awaitSoleServer(WEB, ALPHA, WITHIN);
            c.awaitSoleServer(MAIL, BETA, WITHIN);

            long overlapEnd = c.overlapEndAfter(healedAt);
            Measurements.report("allLinksCutBothRunThenHealingLeavesOneOwnerPerGroup",
                    "overlap end after the links healed (dead " + c.timers().deadMs() + " ms)", overlapEnd
                            + " ms; owners right after the heal " + owners + "; overlaps " + c.overlaps());
            assertThat(c.overlaps()).as("one overlap per group, from the partition").hasSize(2);
            assertThat(overlapEnd).isBetween(0L, c.timers().deadMs() + STOP_ALLOWANCE_MILLIS);
        }
    }

    @Test
    void oneLinkLostInOneDirectionChangesNothing() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "oneLinkLostInOneDirectionChangesNothing")) {
            c.startSteady();
            Map<String, ClusterFixture.LogMark> marks = c.markAll();

            c.link(0).cutOneWay(LinkRelay.Direction.A_TO_B);
            c.awaitLog(BETA, ClusterFixture.event("LinkDown") + ".*net1", WITHIN);
            c.holdsFor("each group stays on its home node", QUIET, () -> homesServed(c));

            c.assertNothingMovedAfter(marks);
            c.assertNeverTwoOwners();
        }
    }

    @Test
    void everyLinkLostInOneDirectionEndsWithOneOwnerPerGroup() throws Exception {
        // beta hears nothing from alpha, alpha hears beta: beta must take web over (alpha looks dead
        // on every link), alpha sees beta's newer claim and must stop web at once. Without fencing a
        // short overlap is possible; it must end within the dead time plus the stop time.
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "everyLinkLostInOneDirectionEndsWithOneOwnerPerGroup")) {
            c.startSteady();

            for (int i = 0; i < c.linkCount(); i++) {
                c.link(i).cutOneWay(LinkRelay.Direction.A_TO_B);
            }
            c.awaitEvent(BETA, "TakeoverStarted", WITHIN);
            // beta took web over with a newer generation; alpha, which still hears beta, yields it.
            c.awaitSoleServer(WEB, BETA, WITHIN);
            Map<String, String> owners = c.awaitOneOwnerEach(WITHIN);
            long worst = c.overlaps().stream().mapToLong(o -> o.durationMillis()).max().orElse(0);
            Measurements.report("everyLinkLostInOneDirectionEndsWithOneOwnerPerGroup",
                    "longest overlap with every link one-way", worst + " ms; owners " + owners + "; overlaps "
                            + c.overlaps());
            assertThat(worst).isLessThanOrEqualTo(c.timers().deadMs() + STOP_ALLOWANCE_MILLIS);
            Map<String, String> later = c.awaitOneOwnerEach(WITHIN);
            c.holdsFor("the owners stay put (no flapping)", QUIET,
                    () -> c.runningNow(WEB).equals(Set.of(later.get(WEB))) && c.runningNow(MAIL).equals(Set.of(later.get(MAIL))));
        }
    }

    @Test
    void lossyLinksCauseNoFailover() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "lossyLinksCauseNoFailover")) {
            c.startSteady();
            Map<String, ClusterFixture.LogMark> marks = c.markAll();

            for (int i = 0; i < c.linkCount(); i++) {
                c.link(i).setLossPercent(30, 42 + i);
            }
            c.holdsFor("each group stays on its home node with 30 % loss on every link", Duration.ofSeconds(6),
                    () -> homesServed(c));
            c.assertNothingMovedAfter(marks);
            c.assertNeverTwoOwners();
            long dropped = c.links().stream().mapToLong(l -> l.relay(LinkRelay.Direction.A_TO_B).dropped()
                    + l.relay(LinkRelay.Direction.B_TO_A).dropped()).sum();
            assertThat(dropped).as("the relays really lost datagrams").isPositive();
        }
    }

    @Test
    void delayedLinksCauseNoFailover() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, Timers.FAST, "delayedLinksCauseNoFailover")) {
            c.startSteady();
            Map<String, ClusterFixture.LogMark> marks = c.markAll();

            for (int i = 0; i < c.linkCount(); i++) {
                c.link(i).setDelayMillis(50);
            }
            c.holdsFor("each group stays on its home node with 50 ms delay on every link", Duration.ofSeconds(6),
                    () -> homesServed(c));
            c.assertNothingMovedAfter(marks);
            c.assertNeverTwoOwners();
        }
    }
}
