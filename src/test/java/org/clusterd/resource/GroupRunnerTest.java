package org.clusterd.resource;

import org.clusterd.config.GroupConfig;
import org.clusterd.config.ResourceConfig;
import org.clusterd.resource.ResourceAgent.Outcome;
import org.clusterd.resource.ResourceAgent.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.resource.TestSupport.awaitGone;
import static org.clusterd.resource.TestSupport.log;
import static org.clusterd.resource.TestSupport.pid;
import static org.clusterd.resource.TestSupport.running;

class GroupRunnerTest {
    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() throws IOException {
        TestSupport.killPidFiles(dir);
    }

    private ResourceConfig.Exec svc(String name, Map<String, String> extra) throws IOException {
        return TestSupport.service(dir, name, extra);
    }

    private GroupRunner runner(ResourceConfig... resources) {
        GroupConfig group = new GroupConfig("shop", "alpha", GroupConfig.Failback.AUTO, List.of(resources), List.of());
        return new GroupRunner(group, Map.of("CLUSTERD_NODE", "alpha"), new CommandRunner());
    }

    private long pidOf(String name) throws IOException {
        return pid(dir.resolve(name + ".pid"));
    }

    @Test
    void startsResourcesInOrderAndStopsThemInReverse() throws IOException {
        GroupRunner group = runner(svc("a", Map.of()), svc("b", Map.of()), svc("c", Map.of()));

        GroupResult started = group.start();

        assertThat(started.ok()).as(started.toString()).isTrue();
        assertThat(started.toString()).startsWith("group shop start ok in ");
        List<Long> pids = List.of(pidOf("a"), pidOf("b"), pidOf("c"));
        assertThat(pids).allMatch(TestSupport::running);

        GroupResult stopped = group.stop();

        assertThat(stopped.ok()).as(stopped.toString()).isTrue();
        assertThat(stopped.op()).isEqualTo(GroupResult.Op.STOP);
        assertThat(log(dir)).containsExactly(
                "start a shop alpha", "start b shop alpha", "start c shop alpha", "stop c", "stop b", "stop a");
        pids.forEach(TestSupport::awaitGone);
    }

    @Test
    void aFailedStartStopsTheFailedAndTheStartedResourcesInReverseAndNamesTheFailedOne() throws IOException {
        GroupRunner group = runner(svc("a", Map.of()), svc("b", Map.of("FAIL_START", "1")), svc("c", Map.of()));

        GroupResult started = group.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.failedResources()).containsExactly("b");
        assertThat(started.stopFailed()).isFalse();
        assertThat(started.toString()).contains("start FAILED").contains("b start: start failed: exit 1")
                .contains("cannot start b");
        assertThat(log(dir)).containsExactly("start a shop alpha", "start b shop alpha", "stop b", "stop a");
        assertThat(dir.resolve("a.pid")).doesNotExist();
    }

    @Test
    void aFailedStopGoesOnWithTheOthersAndNamesEveryResourceThatDidNotStop() throws IOException {
        GroupRunner group = runner(svc("a", Map.of("FAIL_STOP", "1")), svc("b", Map.of("FAIL_STOP", "1")),
                svc("c", Map.of()));
        assertThat(group.start().ok()).isTrue();
        long c = pidOf("c");

        GroupResult stopped = group.stop();

        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.stopFailed()).isTrue();
        assertThat(stopped.failedResources()).containsExactly("b", "a");
        assertThat(stopped.toString()).contains("refusing to stop b").contains("refusing to stop a");
        assertThat(log(dir)).endsWith("stop c", "stop b", "stop a");
        awaitGone(c);
        assertThat(running(pidOf("a"))).isTrue();
    }

    @Test
    void aResourceThatFailsToStopDuringARollbackIsReportedAsAStopFailure() throws IOException {
        GroupRunner group = runner(svc("a", Map.of()), svc("b", Map.of("FAIL_STOP", "1")),
                svc("c", Map.of("FAIL_START", "1")));

        GroupResult started = group.start();

        assertThat(started.ok()).isFalse();
        assertThat(started.failures()).extracting(GroupResult.Failure::resource, GroupResult.Failure::op)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("c", GroupResult.Op.START),
                        org.assertj.core.groups.Tuple.tuple("b", GroupResult.Op.STOP));
        assertThat(started.stopFailed()).isTrue();
        assertThat(log(dir)).endsWith("stop c", "stop b", "stop a");
    }

    @Test
    void probeReportsEveryResourceAndFindsWhatIsLeftRunning() throws IOException {
        GroupRunner group = runner(svc("a", Map.of()), svc("b", Map.of()), svc("c", Map.of()));
        assertThat(group.probe().allStopped()).isTrue();
        assertThat(group.start().ok()).isTrue();
        long b = pidOf("b");
        ProcessHandle.of(b).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(b);

        ProbeResult probe = group.probe();

        assertThat(probe.statuses()).containsExactly(new ResourceStatus("a", Status.RUNNING),
                new ResourceStatus("b", Status.STOPPED), new ResourceStatus("c", Status.RUNNING));
        assertThat(probe.allStopped()).isFalse();
        assertThat(probe.allRunning()).isFalse();
        assertThat(probe.notStopped()).extracting(ResourceStatus::resource).containsExactly("a", "c");
        assertThat(probe).hasToString("group shop: a=RUNNING, b=STOPPED, c=RUNNING");
    }

    @Test
    void checkIsOkWhileEverythingRunsAndNamesTheFirstResourceThatDoesNot() throws IOException {
        GroupRunner group = runner(svc("a", Map.of()), svc("b", Map.of()), svc("c", Map.of()));
        assertThat(group.start().ok()).isTrue();
        assertThat(group.check()).isEqualTo(MonitorResult.ok("shop"));

        long b = pidOf("b");
        ProcessHandle.of(b).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(b);
        MonitorResult check = group.check();

        assertThat(check.ok()).isFalse();
        assertThat(check.firstNotRunning()).contains(new ResourceStatus("b", Status.STOPPED));
        assertThat(check).hasToString("group shop: b is STOPPED");
    }

    /** A scripted in-memory agent that records what it was asked. */
    private static final class FakeAgent implements ResourceAgent {
        private final String name;
        private final Status status;
        private final List<String> calls;

        FakeAgent(String name, Status status, List<String> calls) {
            this.name = name;
            this.status = status;
            this.calls = calls;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Outcome start() {
            calls.add("start " + name);
            return Outcome.ok("fake");
        }

        @Override
        public Outcome stop() {
            calls.add("stop " + name);
            if (status == Status.UNKNOWN) {
                throw new IllegalStateException("agent bug");
            }
            return Outcome.ok("fake");
        }

        @Override
        public Status status() {
            calls.add("status " + name);
            return status;
        }
    }

    @Test
    void checkDoesNotAskTheResourcesAfterTheFirstThatIsNotRunning() {
        List<String> calls = new ArrayList<>();
        GroupRunner group = new GroupRunner("g", List.of(new FakeAgent("a", Status.RUNNING, calls),
                new FakeAgent("b", Status.FAILED, calls), new FakeAgent("c", Status.RUNNING, calls)));

        assertThat(group.check().firstNotRunning()).contains(new ResourceStatus("b", Status.FAILED));
        assertThat(calls).containsExactly("status a", "status b");
    }

    @Test
    void anAgentThatThrowsCountsAsAFailureAndTheOthersStillStop() {
        List<String> calls = new ArrayList<>();
        GroupRunner group = new GroupRunner("g", List.of(new FakeAgent("a", Status.STOPPED, calls),
                new FakeAgent("b", Status.UNKNOWN, calls)));

        GroupResult stopped = group.stop();

        assertThat(stopped.failedResources()).containsExactly("b");
        assertThat(stopped.failures().get(0).detail()).contains("agent bug");
        assertThat(calls).containsExactly("stop b", "stop a");
    }

    @Test
    void theFactoryBuildsOneAgentPerKindInGroupOrder() {
        GroupConfig group = new GroupConfig("g", "alpha", GroupConfig.Failback.MANUAL, List.of(
                new ResourceConfig.Ip("vip", "10.0.0.1", 32, "eth0", true, java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty(), 5_000, 10_000),
                new ResourceConfig.Lsb("init", Path.of("/etc/init.d/x"), 5_000, 10_000),
                new ResourceConfig.Systemd("unit", "x.service", 5_000, 10_000),
                new ResourceConfig.Exec("cmd", "true", "true", "true", Map.of(), 5_000, 10_000)), List.of());

        List<ResourceAgent> agents = ResourceAgents.forGroup(group, Map.of(), new CommandRunner());

        assertThat(agents).extracting(ResourceAgent::name).containsExactly("vip", "init", "unit", "cmd");
        assertThat(agents).extracting(a -> a.getClass().getSimpleName())
                .containsExactly("IpAgent", "LsbAgent", "SystemdAgent", "ExecAgent");
        assertThat(new GroupRunner(group, Map.of()).resources()).containsExactly("vip", "init", "unit", "cmd");
    }
}
