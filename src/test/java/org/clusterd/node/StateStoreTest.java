package org.clusterd.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.clusterd.cluster.PersistentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsTheStateThroughAnAtomicWrite() throws Exception {
        StateStore store = new StateStore(dir);
        PersistentState state = new PersistentState(Map.of("web", new PersistentState.GroupRecord(7, "alpha"),
                "mail", new PersistentState.GroupRecord(2, null)), 3, 4, 12345);
        store.save(state);
        assertThat(store.load()).isEqualTo(state);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void aMissingFileIsEmptyState() throws Exception {
        assertThat(new StateStore(dir).load()).isEqualTo(PersistentState.EMPTY);
    }

    @Test
    void anUnreadableFileIsMovedAsideNotLost() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"format\":1,\"groups\":{\"web\":");
        assertThat(new StateStore(dir).load()).isEqualTo(PersistentState.EMPTY);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).singleElement()
                    .satisfies(n -> assertThat(n).startsWith("state.json.corrupt-"));
        }
    }

    @Test
    void anUnknownFormatIsNotTrusted() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"format\":99,\"groups\":{}}");
        assertThat(new StateStore(dir).load()).isEqualTo(PersistentState.EMPTY);
    }
}
