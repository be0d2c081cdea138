package org.clusterd.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.clusterd.cluster.Command;
import org.clusterd.view.ClusterService.CommandResult;
import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two node runtimes over real UDP on loopback, in one JVM: the wiring of loop, links, workers and views. */
class NodeRuntimeTest {
    private static final Duration WITHIN = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    NodePair pair;

    @AfterEach
    void close() {
        if (pair != null) {
            pair.close();
        }
    }

    private void bothRunTheirHomeGroups() throws Exception {
        pair = new NodePair(dir);
        pair.startBoth();
        await().atMost(WITHIN).until(() -> pair.runs("alpha", "web") && pair.runs("beta", "mail"));
        await().atMost(WITHIN).until(() -> NodePair.owner(pair.alpha, "mail").orElse("").equals("beta")
                && NodePair.owner(pair.beta, "web").orElse("").equals("alpha"));
    }

    @Test
    void eachNodeRunsItsHomeGroupAndBothViewsAgree() throws Exception {
        bothRunTheirHomeGroups();
        ClusterView v = pair.alpha.view();
        assertThat(v.node()).isEqualTo("alpha");
        assertThat(v.state()).isEqualTo("ACTIVE");
        assertThat(v.stats().clusterState()).isEqualTo("normal");
        assertThat(v.nodes()).extracting(ClusterView.NodeView::name).containsExactly("alpha", "beta");
        assertThat(v.nodes().get(1).alive()).isTrue();
        assertThat(v.links()).allSatisfy(l -> {
            assertThat(l.up()).isTrue();
            assertThat(l.received()).isPositive();
        });
        assertThat(v.groups()).extracting(ClusterView.GroupView::owner).containsExactly("alpha", "beta");
        assertThat(v.events()).extracting(ClusterView.EventView::type).contains("NodeUp", "GroupStarted");
        assertThat(pair.runs("alpha", "mail")).isFalse();
        assertThat(Files.readString(dir.resolve("alpha/state.json"))).contains("\"web\"", "\"generation\" : 1");
    }

    @Test
    void aGracefulStopHandsTheGroupToThePeer() throws Exception {
        bothRunTheirHomeGroups();
        assertThat(pair.alpha.shutdown(WITHIN)).isTrue();
        assertThat(pair.runs("alpha", "web")).isFalse();
        await().atMost(WITHIN).until(() -> pair.runs("beta", "web"));
        assertThat(pair.beta.view().events()).anyMatch(e -> e.type().equals("TakeoverStarted")
                && e.message().contains("released by alpha"));
    }

    @Test
    void standbyAndJoinThroughTheCommandInterface() throws Exception {
        bothRunTheirHomeGroups();
        CommandResult r = pair.alpha.submit(new Command.Standby(), WITHIN);
        assertThat(r.accepted()).as(r.message()).isTrue();
        await().atMost(WITHIN).until(() -> pair.runs("beta", "web") && !pair.runs("alpha", "web"));
        assertThat(dir.resolve("alpha/standby.lock")).exists();
        assertThat(pair.alpha.view().stats().clusterState()).isEqualTo("standby");

        assertThat(pair.alpha.submit(new Command.Join(), WITHIN).accepted()).isTrue();
        await().atMost(WITHIN).until(() -> pair.runs("alpha", "web") && !pair.runs("beta", "web"));
        assertThat(dir.resolve("alpha/standby.lock")).doesNotExist();
    }

    /** A long mirror pass asked for by the operator holds no control worker: standby is answered meanwhile. */
    @Test
    void aLongMirrorPassAnswersAtTheTimeoutAndDoesNotHoldUpOtherCommands() throws Exception {
        bothRunTheirHomeGroups();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        pair.alpha.mirrors(java.util.List::of, set -> {
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
            return new CommandResult(true, "mirror " + set + ": OK");
        });

        CommandResult r = pair.alpha.submit(new Command.MirrorNow("www"), java.time.Duration.ofMillis(300));
        assertThat(r.accepted()).isTrue();
        assertThat(r.message()).contains("still running").contains("www");
        CommandResult standby = pair.alpha.submit(new Command.Standby(), WITHIN);
        assertThat(standby.accepted()).as(standby.message()).isTrue();
        assertThat(finished).isFalse();

        release.countDown();
        await().atMost(WITHIN).untilTrue(finished);
        CommandResult quick = pair.alpha.submit(new Command.MirrorNow("www"), WITHIN);
        assertThat(quick.message()).isEqualTo("mirror www: OK");
    }

    @Test
    void aCommandTheMachineRefusesIsAnsweredWithTheReason() throws Exception {
        bothRunTheirHomeGroups();
        CommandResult r = pair.alpha.submit(new Command.Failover("nope"), WITHIN);
        assertThat(r.accepted()).isFalse();
        assertThat(r.message()).contains("unknown group nope");
    }

    @Test
    void aResourceThatDiesIsRestartedInPlaceByTheMonitor() throws Exception {
        bothRunTheirHomeGroups();
        Files.delete(dir.resolve("alpha/web.running")); // the "service" died
        await().atMost(WITHIN).until(() -> pair.alpha.view().events().stream()
                .anyMatch(e -> e.type().equals("GroupFailed")));
        await().atMost(WITHIN).until(() -> pair.runs("alpha", "web"));
        assertThat(pair.runs("beta", "web")).isFalse();
    }
}
