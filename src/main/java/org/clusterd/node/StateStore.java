package org.clusterd.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.clusterd.cluster.PersistentState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code state.json} in the state directory: group generations and owners, standby epochs and the
 * last incarnation, written atomically with a format version. An unreadable file is moved aside and
 * the node starts from empty state (it then learns generations from its peer before starting anything).
 */
public final class StateStore {
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);
    static final int FORMAT = 1;

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();

    public StateStore(Path stateDir) {
        this.file = stateDir.resolve("state.json");
    }

    public Path file() {
        return file;
    }

    public PersistentState load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return PersistentState.EMPTY;
        }
        try {
            return parse(json.readTree(bytes));
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling("state.json.corrupt-" + Instant.now().toEpochMilli());
            Files.move(file, aside);
            log.error("{} is unreadable ({}); moved to {} and starting from empty state", file, e.getMessage(), aside);
            return PersistentState.EMPTY;
        }
    }

    private static PersistentState parse(JsonNode root) throws IOException {
        if (root == null || root.path("format").asInt(-1) != FORMAT) {
            throw new IOException("unknown format " + (root == null ? "(empty)" : root.path("format")));
        }
        Map<String, PersistentState.GroupRecord> groups = new LinkedHashMap<>();
        root.path("groups").fields().forEachRemaining(e -> {
            JsonNode owner = e.getValue().path("owner");
            groups.put(e.getKey(), new PersistentState.GroupRecord(e.getValue().path("generation").asLong(),
                    owner.isTextual() ? owner.asText() : null));
        });
        return new PersistentState(groups, root.path("standbyEpoch").asLong(), root.path("peerStandbyEpoch").asLong(),
                root.path("lastIncarnation").asLong());
    }

    public void save(PersistentState state) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode groups = root.putObject("groups");
        state.sortedGroups().forEach((name, rec) -> {
            ObjectNode g = groups.putObject(name);
            g.put("generation", rec.generation());
            if (rec.owner() == null) {
                g.putNull("owner");
            } else {
                g.put("owner", rec.owner());
            }
        });
        root.put("standbyEpoch", state.standbyEpoch());
        root.put("peerStandbyEpoch", state.peerStandbyEpoch());
        root.put("lastIncarnation", state.lastIncarnation());
        AtomicFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
