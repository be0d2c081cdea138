package org.clusterd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.clusterd.config.GroupConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of the architecture, one behaviour per test, on two simulated nodes with a fake clock
 * (interval 100 ms, warn 300, dead 600, initDead 2000; start and stop take 50 ms).
 */
class ClusterMachineTest {
    SimCluster sim = new SimCluster(1);

    @AfterEach
    void noViolations() {
        assertThat(sim.violations()).as(sim.traceTail(60)).isEmpty();
    }

    private void bootBothAndSettle() {
        sim.a.boot();
        sim.b.boot();
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
    }

    @Test
    void homeNodesStartTheirOwnGroupsAsSoonAsTheyHearEachOther() {
        sim.a.boot();
        sim.b.boot();
        sim.runFor(400);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.a.state()).isEqualTo("ACTIVE");
        assertThat(sim.a.generation("ga")).isEqualTo(1);
    }

    @Test
    void aLoneNodeWaitsInitDeadThenRunsEverything() {
        sim.a.boot();
        sim.runFor(1_900);
        assertThat(sim.whereRuns("ga")).isEqualTo("none");
        assertThat(sim.a.state()).isEqualTo("STARTING");
        sim.runFor(300);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
    }

    @Test
    void takesOverPeerGroupsWhenSilentOnEveryLinkForDeadTime() {
        bootBothAndSettle();
        long crash = sim.now;
        sim.b.powerOff();
        sim.runFor(400);
        assertThat(sim.whereRuns("gb")).as("before dead time").isEqualTo("none");
        sim.runFor(350);
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
        assertThat(sim.a.eventTypes()).contains("NodeDown", "TakeoverStarted", "GroupStarted");
        assertThat(sim.a.generation("gb")).isEqualTo(2);
        assertThat(sim.now - crash).isLessThan(800);
    }

    @Test
    void oneLinkDownIsReportedAndNotActedOn() {
        bootBothAndSettle();
        sim.net.cut("l1", "a", true);
        sim.net.cut("l1", "b", true);
        sim.runFor(5_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.a.eventTypes()).contains("LinkDown").doesNotContain("NodeDown", "TakeoverStarted");
        sim.net.heal();
        sim.runFor(500);
        assertThat(sim.a.eventTypes()).contains("LinkUp");
    }

    @Test
    void aOneWayLinkLossChangesNothing() {
        bootBothAndSettle();
        sim.net.cut("l1", "a", true);
        sim.net.cut("l2", "b", true);
        sim.runFor(5_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.b.eventTypes()).doesNotContain("NodeDown");
    }

    @Test
    void aFlappingLinkNeverCausesATakeover() {
        bootBothAndSettle();
        for (int i = 0; i < 40; i++) {
            sim.net.cut("l2", "a", i % 2 == 0);
            sim.net.cut("l2", "b", i % 2 == 0);
            sim.runFor(350);
        }
        assertThat(sim.a.eventTypes()).doesNotContain("NodeDown");
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void gracefulShutdownHandsOverWithoutWaitingForDeadTime() {
        bootBothAndSettle();
        sim.b.command(new Command.Shutdown());
        sim.runFor(300);
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
        assertThat(sim.b.exited).isTrue();
        assertThat(sim.b.eventTypes()).containsSubsequence("HandoverStarted", "GroupStopped", "HandoverCompleted");
    }

    @Test
    void gracefulShutdownWithADeadPeerStopsAndExits() {
        bootBothAndSettle();
        sim.a.powerOff();
        sim.runFor(800);
        sim.b.command(new Command.Shutdown());
        sim.runFor(300);
        assertThat(sim.b.exited).isTrue();
        assertThat(sim.whereRuns("ga")).isEqualTo("none");
        assertThat(sim.whereRuns("gb")).isEqualTo("none");
    }

    @Test
    void returningHomeNodeGetsItsGroupBackOnlyAfterResync() {
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(1_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
        sim.b.boot();
        sim.runFor(1_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.a.eventTypes()).containsSubsequence("NodeUp", "HandoverStarted", "ResyncStarted",
                "ResyncCompleted", "GroupStopped", "ResyncStarted", "ResyncCompleted", "HandoverCompleted");
        assertThat(sim.b.generation("gb")).isEqualTo(3);
    }

    @Test
    void peerReturningDuringTakeoverDoesNotRunTheGroupTwice() {
        bootBothAndSettle();
        sim.startMillis = 400;
        sim.b.powerOff();
        sim.runFor(700); // a is starting gb now
        assertThat(sim.a.phase("gb")).isEqualTo("STARTING");
        sim.b.boot();
        sim.runFor(3_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void manualFailbackGroupStaysWithTheSurvivorUntilAnOperatorAsks() {
        sim = new SimCluster(2, TestConfigs.node("a", GroupConfig.Failback.MANUAL, 0),
                TestConfigs.node("b", GroupConfig.Failback.MANUAL, 0));
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(1_000);
        sim.b.boot();
        sim.runFor(5_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
        sim.b.command(new Command.Failback("gb"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.b.replies).anyMatch(r -> r.startsWith("OK asked a"));
    }

    @Test
    void failbackCommandOnTheOwnerHandsTheGroupHome() {
        sim = new SimCluster(2, TestConfigs.node("a", GroupConfig.Failback.MANUAL, 0),
                TestConfigs.node("b", GroupConfig.Failback.MANUAL, 0));
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(1_000);
        sim.b.boot();
        sim.runFor(3_000);
        sim.a.command(new Command.Failback("gb"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
    }

    @Test
    void failoverCommandMovesAGroupAndItDoesNotBounceBack() {
        bootBothAndSettle();
        sim.a.command(new Command.Failover("ga"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        sim.runFor(10_000);
        assertThat(sim.whereRuns("ga")).as("auto failback must not undo an operator's move").isEqualTo("b");
        assertThat(sim.a.phase("ga")).isEqualTo("DECLINED");
        sim.a.command(new Command.Failback("ga"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void anOperatorFailoverWhoseBulkPassFailsIsTriedAgainUntilTheDataCanMove() {
        bootBothAndSettle();
        sim.a.failResyncs = 2;
        sim.a.command(new Command.Failover("ga"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).as("the group keeps serving while its data cannot move").isEqualTo("a");
        assertThat(sim.a.eventTypes()).contains("ResyncFailed");
        sim.runFor(2 * ClusterMachine.HANDOVER_RETRY_MS + 1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.a.events.stream().filter(e -> e.type().equals("HandoverStarted")).count()).isEqualTo(3);
    }

    @Test
    void anOperatorFailoverIsDroppedWhenTheDataCannotMoveForAMinute() {
        bootBothAndSettle();
        sim.a.failResyncs = Integer.MAX_VALUE;
        sim.a.command(new Command.Failover("ga"));
        sim.runFor(ClusterMachine.REQUEST_VALIDITY_MS + 2 * ClusterMachine.HANDOVER_RETRY_MS);
        long tries = sim.a.events.stream().filter(e -> e.type().equals("HandoverStarted")).count();
        sim.runFor(10 * ClusterMachine.HANDOVER_RETRY_MS);
        assertThat(sim.a.events.stream().filter(e -> e.type().equals("HandoverStarted")).count())
                .as("no more tries once the command expired").isEqualTo(tries);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void failoverCommandOnTheOtherNodePullsTheGroup() {
        bootBothAndSettle();
        sim.b.command(new Command.Failover("ga"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
    }

    @Test
    void failoverToADeadPeerIsRefused() {
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(200);
        sim.a.powerOff();
        sim.a.boot();
        sim.runFor(2_500);
        sim.a.command(new Command.Failover("ga"));
        sim.runFor(100);
        assertThat(sim.a.replies).anyMatch(r -> r.startsWith("NO"));
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void unknownGroupCommandsAreRefused() {
        bootBothAndSettle();
        sim.a.command(new Command.Failover("nope"));
        sim.a.command(new Command.Failback("nope"));
        sim.a.command(new Command.Join());
        sim.runFor(10);
        assertThat(sim.a.replies).hasSize(3).allMatch(r -> r.startsWith("NO"));
    }

    @Test
    void standbyHandsEveryGroupOverWritesTheLockAndJoinBringsThemBack() {
        bootBothAndSettle();
        sim.a.command(new Command.Standby());
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.a.lockFile).isTrue();
        assertThat(sim.a.state()).isEqualTo("STANDBY");
        sim.runFor(5_000);
        assertThat(sim.whereRuns("ga")).as("standby holds no group").isEqualTo("b");
        sim.a.command(new Command.Join());
        sim.runFor(1_000);
        assertThat(sim.a.lockFile).isFalse();
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void aNodeStartingWithItsLockStaysInStandbyAndThePeerKeepsItsGroups() {
        bootBothAndSettle();
        sim.a.command(new Command.Standby());
        sim.runFor(1_000);
        sim.a.powerOff();
        sim.runFor(1_000);
        sim.a.boot();
        sim.runFor(10_000);
        assertThat(sim.a.state()).isEqualTo("STANDBY");
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
    }

    @Test
    void aNodeWhoseLockWasLostIsToldByItsPeerToStandDown() {
        bootBothAndSettle();
        sim.a.command(new Command.Standby());
        sim.runFor(1_000);
        sim.a.powerOff();
        sim.a.lockFile = false;
        sim.a.disk = PersistentState.EMPTY; // state directory wiped as well
        sim.a.maxGeneration.clear();
        sim.a.boot();
        sim.runFor(3_000);
        assertThat(sim.a.state()).isEqualTo("STANDBY");
        assertThat(sim.a.eventTypes()).contains("StandDownOrdered");
        assertThat(sim.a.lockFile).isTrue();
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
    }

    @Test
    void aStandbyLockAtStartWithADeadPeerRunsNothing() {
        sim.a.lockFile = true;
        sim.a.boot();
        sim.runFor(5_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("none");
    }

    @Test
    void splitBrainAfterAPartitionHealsToTheHigherGeneration() {
        bootBothAndSettle();
        sim.beginExcuse();
        sim.net.cutAll(true);
        sim.runFor(2_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("both");
        sim.net.heal();
        sim.endExcuse(600 + 50 + 200);
        sim.runFor(3_000);
        assertThat(sim.a.eventTypes()).contains("SplitBrain");
        assertThat(sim.b.eventTypes()).contains("SplitBrain");
        // b took ga over with generation 2, so b keeps it, then auto failback brings it home
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.longestOverlap).isLessThan(2_000 + 900);
    }

    @Test
    void bothNodesStartingPartitionedResolveToOneOwnerWhenTheyMeet() {
        sim.beginExcuse();
        sim.net.cutAll(true);
        sim.a.boot();
        sim.b.boot();
        sim.runFor(3_000);
        sim.net.heal();
        sim.endExcuse(900);
        sim.runFor(3_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
    }

    @Test
    void bothNodesStartingAtTheSameMomentNeverRunAGroupTwice() {
        for (long seed = 1; seed <= 20; seed++) {
            SimCluster s = new SimCluster(seed);
            s.a.boot();
            s.b.boot();
            s.runFor(3_000);
            assertThat(s.violations()).isEmpty();
            assertThat(s.whereRuns("ga")).isEqualTo("a");
        }
    }

    @Test
    void aFrozenDaemonStopsTheGroupItsPeerTookOverAsSoonAsItResumes() {
        bootBothAndSettle();
        sim.beginExcuse();
        sim.a.freeze();
        sim.runFor(2_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("both"); // a's services went on while its daemon slept
        sim.a.resume();
        sim.endExcuse(300);
        sim.runFor(60); // one stop later; then the automatic failback brings it home properly
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.a.eventTypes()).contains("LocalPause");
        assertThat(sim.a.eventTypes()).doesNotContain("NodeDown", "TakeoverStarted");
        sim.runFor(3_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void aShortFreezeChangesNothing() {
        bootBothAndSettle();
        sim.a.freeze();
        sim.runFor(400);
        sim.a.resume();
        sim.runFor(2_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.b.eventTypes()).doesNotContain("NodeDown");
    }

    /** The types of {@code node}'s events about {@code group}, in order. */
    private static List<String> eventsOf(SimNode node, String group) {
        return node.events.stream().filter(e -> group.equals(e.group())).map(ClusterEvent::type).toList();
    }

    /**
     * b fails, a takes gb over, then the whole site loses power and both come back together. b must
     * not start gb from its stale copy (a's would then be overwritten): a, the last owner, starts it
     * and hands it home through a resync.
     */
    @Test
    void bothNodesReturningAfterATakeoverStartTheGroupWhereItsNewestDataIsAndResyncItHome() {
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(1_000);
        assertThat(sim.whereRuns("gb")).isEqualTo("a");
        sim.a.powerOff();
        sim.runFor(500);
        sim.a.events.clear();
        sim.b.events.clear();

        sim.a.boot();
        sim.b.boot();
        sim.runFor(3_000);

        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(eventsOf(sim.a, "gb")).containsSubsequence("GroupStarted", "HandoverStarted", "ResyncStarted",
                "ResyncCompleted", "GroupStopped", "ResyncStarted", "ResyncCompleted", "HandoverCompleted");
        assertThat(eventsOf(sim.b, "gb")).as("b starts gb only once, after the resync").containsOnlyOnce("GroupStarted");
        assertThat(sim.b.generation("gb")).isGreaterThan(2);
    }

    /** The stale home node coming back alone still starts everything after initDead: availability first. */
    @Test
    void theHomeNodeReturningAloneAfterBothFailedStillStartsEverythingAfterInitDead() {
        bootBothAndSettle();
        sim.b.powerOff();
        sim.runFor(1_000);
        sim.a.powerOff();
        sim.runFor(500);
        sim.b.boot();
        sim.runFor(2_500);
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
    }

    @Test
    void aDaemonThatCrashedFindsItsServicesAndStopsThoseItsPeerTookOver() {
        bootBothAndSettle();
        sim.beginExcuse();
        sim.a.crashDaemon();
        sim.runFor(1_500);
        assertThat(sim.whereRuns("ga")).isEqualTo("both");
        sim.a.boot();
        sim.endExcuse(300);
        sim.runFor(200);
        assertThat(sim.a.eventTypes()).contains("OrphanFound");
        assertThat(sim.a.events).anyMatch(e -> e.message().contains("stopped, b owns it"));
        assertThat(sim.b.eventTypes()).doesNotContain("SplitBrain");
        sim.runFor(3_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void aDaemonRestartedQuicklyAdoptsItsStillRunningServices() {
        bootBothAndSettle();
        sim.a.crashDaemon();
        sim.runFor(200);
        sim.a.boot();
        sim.runFor(2_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.a.events).anyMatch(e -> e.message().contains("adopted"));
    }

    @Test
    void aRestartedDaemonKeepsItsOrphanUntilThePeerHasHeardIt() {
        bootBothAndSettle();
        sim.a.crashDaemon();
        sim.net.delay("l1", "a", 300);
        sim.net.delay("l2", "a", 300); // the peer hears the new incarnation late
        sim.runFor(50);
        sim.a.boot();
        sim.runFor(2_000);
        assertThat(sim.a.events).anyMatch(e -> e.message().contains("adopted"));
        assertThat(sim.a.eventTypes()).doesNotContain("GroupStopped");
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void aResourceThatFailsToStopSendsTheNodeToStandby() {
        bootBothAndSettle();
        sim.beginExcuse(); // rule 9: without fencing the peer takes over a group that may still run here
        sim.a.failStop.add("ga");
        sim.a.command(new Command.Failover("ga"));
        sim.runFor(1_000);
        assertThat(sim.a.eventTypes()).contains("StopFailed", "StandbyEntered");
        assertThat(sim.a.state()).isEqualTo("STANDBY");
        assertThat(sim.a.lockFile).isTrue();
        assertThat(sim.b.phase("gb")).isEqualTo("RUNNING");
    }

    @Test
    void aFailingResourceIsRestartedLocallyThenTheGroupFailsOver() {
        bootBothAndSettle();
        for (int i = 0; i < 2; i++) {
            sim.a.deliver(new ClusterInput.MonitorFailed(sim.now, "ga", "svc", "dead"));
            sim.runFor(300);
            assertThat(sim.whereRuns("ga")).isEqualTo("a");
        }
        sim.a.deliver(new ClusterInput.MonitorFailed(sim.now, "ga", "svc", "dead"));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.a.eventTypes()).contains("GroupFailed", "HandoverStarted");
    }

    @Test
    void aNodeThatFailsRepeatedlyIsHeldInStandby() {
        bootBothAndSettle();
        for (int round = 0; round < 5 && !sim.a.state().equals("STANDBY"); round++) {
            for (int i = 0; i < 3 && sim.a.phase("ga").equals("RUNNING"); i++) {
                sim.a.deliver(new ClusterInput.MonitorFailed(sim.now, "ga", "svc", "dead"));
                sim.runFor(300);
            }
            sim.runFor(1_000);
            assertThat(sim.whereRuns("ga")).isEqualTo("b");
            sim.a.command(new Command.Failback("ga"));
            sim.runFor(1_000);
        }
        assertThat(sim.a.state()).isEqualTo("STANDBY");
        assertThat(sim.a.events.stream().filter(e -> e.type().equals("HandoverStarted")).count()).isEqualTo(3);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
    }

    @Test
    void aFailedStartIsRetriedThenReleasedToThePeer() {
        sim.a.failStart.add("ga");
        sim.a.boot();
        sim.b.boot();
        sim.runFor(3_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.a.events.stream().filter(e -> e.type().equals("GroupFailed")).count()).isEqualTo(3);
    }

    @Test
    void theNodeThatLostItsPublicNetworkHandsOverAndStandsBy() {
        sim = new SimCluster(3, TestConfigs.node("a", GroupConfig.Failback.AUTO, 2),
                TestConfigs.node("b", GroupConfig.Failback.AUTO, 2));
        bootBothAndSettle();
        sim.a.deliver(new ClusterInput.PingResult(sim.now, 0));
        sim.runFor(300);
        assertThat(sim.whereRuns("ga")).as("not before the condition held for deadTime").isEqualTo("a");
        sim.runFor(1_500);
        assertThat(sim.a.eventTypes()).contains("PublicNetworkLost", "StandbyEntered");
        assertThat(sim.whereRuns("ga")).isEqualTo("b");
        assertThat(sim.b.state()).isEqualTo("ACTIVE");
    }

    @Test
    void anIsolatedNodeWithoutPingNodesDoesNotTakeOver() {
        sim = new SimCluster(3, TestConfigs.node("a", GroupConfig.Failback.AUTO, 2),
                TestConfigs.node("b", GroupConfig.Failback.AUTO, 2));
        bootBothAndSettle();
        sim.beginExcuse();
        sim.net.cutAll(true);
        sim.a.deliver(new ClusterInput.PingResult(sim.now, 0));
        sim.runFor(3_000);
        assertThat(sim.a.eventTypes()).contains("TakeoverDeferred");
        assertThat(sim.whereRuns("gb")).isEqualTo("b");
        sim.net.heal();
        sim.endExcuse(1_000);
    }

    @Test
    void aHeartbeatFromAnOldIncarnationIsIgnored() {
        bootBothAndSettle();
        Heartbeat old = new Heartbeat("sim", "b", 0, 99, 0, NodeState.ACTIVE, 1, 0, 0, 0, 0, 2,
                List.of(new Heartbeat.GroupClaim("ga", 99, Heartbeat.ClaimStatus.RUNNING)));
        sim.a.deliver(new ClusterInput.HeartbeatReceived(sim.now, "l1", old));
        sim.runFor(1_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.a.eventTypes()).doesNotContain("SplitBrain");
    }

    @Test
    void heartbeatsFromStrangersAreIgnored() {
        bootBothAndSettle();
        Heartbeat stranger = new Heartbeat("other", "b", 999, 1, 0, NodeState.ACTIVE, 1, 0, 0, 0, 0, 2,
                List.of(new Heartbeat.GroupClaim("ga", 99, Heartbeat.ClaimStatus.RUNNING)));
        sim.a.deliver(new ClusterInput.HeartbeatReceived(sim.now, "l1", stranger));
        sim.runFor(500);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
    }

    @Test
    void generationsArePersistedBeforeAGroupStarts() {
        sim.a.boot();
        sim.b.boot();
        sim.runFor(1_000);
        assertThat(sim.a.disk.group("ga").generation()).isEqualTo(1);
        assertThat(sim.a.disk.group("ga").owner()).isEqualTo("a");
        assertThat(sim.a.disk.group("gb").generation()).as("learned from the peer").isEqualTo(1);
    }

    @Test
    void aRestartedHomeNodeWithStaleStateDoesNotStartWhatThePeerHolds() {
        bootBothAndSettle();
        sim.a.powerOff();
        sim.runFor(1_000); // b took ga with generation 2
        PersistentState stale = sim.a.disk;
        sim.a.boot();
        assertThat(stale.group("ga").generation()).isEqualTo(1);
        sim.runFor(2_000);
        assertThat(sim.whereRuns("ga")).isEqualTo("a");
        assertThat(sim.a.generation("ga")).isEqualTo(3);
    }

    @Test
    void snapshotDescribesNodesLinksAndGroups() {
        bootBothAndSettle();
        MachineSnapshot snap = sim.a.machine.snapshot(sim.now);
        assertThat(snap.peer().alive()).isTrue();
        assertThat(snap.links()).extracting(MachineSnapshot.LinkInfo::state).containsOnly("UP");
        assertThat(snap.groups()).extracting(MachineSnapshot.GroupInfo::owner).containsExactly("a", "b");
        assertThat(Set.of(snap.state())).containsExactly("ACTIVE");
    }
}
