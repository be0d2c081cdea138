package org.clusterd.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.config.NotifyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyCommandsTest {
    @TempDir
    Path dir;

    @Test
    void runsTheCommandsForTheEventTypesTheyAskForWithTheEventInTheEnvironment() throws Exception {
        Path pages = dir.resolve("pages");
        NotifyCommands notify = new NotifyCommands(List.of(
                new NotifyConfig(Set.of("NodeDown"), "echo \"$CLUSTERD_EVENT_TYPE $CLUSTERD_EVENT_SEVERITY $CLUSTERD_NODE: $CLUSTERD_EVENT_MESSAGE\" >> " + pages, 5_000),
                new NotifyConfig(Set.of(), "echo \"$CLUSTERD_EVENT_JSON\" >> " + dir.resolve("all"), 5_000)),
                Map.of("CLUSTERD_NODE", "alpha"));
        notify.accept(new ClusterEvent.NodeDown(1, "alpha", "beta", "silent"));
        notify.accept(new ClusterEvent.LinkUp(2, "alpha", "net1"));
        assertThat(Files.readAllLines(pages)).containsExactly("NodeDown CRITICAL alpha: peer beta is down: silent");
        assertThat(Files.readAllLines(dir.resolve("all"))).hasSize(2).anyMatch(l -> l.contains("\"type\":\"LinkUp\""));
    }

    @Test
    void aFailingOrHangingCommandIsCutOffAndDoesNotStopTheOthers() throws Exception {
        NotifyCommands notify = new NotifyCommands(List.of(
                new NotifyConfig(Set.of(), "sleep 30", 200),
                new NotifyConfig(Set.of(), "exit 3", 1_000),
                new NotifyConfig(Set.of(), "touch " + dir.resolve("ran"), 1_000)), Map.of());
        notify.accept(new ClusterEvent.LinkUp(2, "alpha", "net1"));
        assertThat(dir.resolve("ran")).exists();
    }
}
