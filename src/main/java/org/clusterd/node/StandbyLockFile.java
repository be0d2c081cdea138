package org.clusterd.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code standby.lock} in the state directory: while it exists the node stays in standby, across
 * restarts, until an operator runs {@code clusterd join}.
 */
final class StandbyLockFile {
    private final Path file;

    StandbyLockFile(Path stateDir) {
        this.file = stateDir.resolve("standby.lock");
    }

    boolean present() {
        return Files.exists(file);
    }

    void set(boolean present, String why) throws IOException {
        if (present) {
            if (!present()) {
                AtomicFiles.write(file, ("standby since " + Instant.now() + ": " + why
                        + "\nremove with: clusterd join\n").getBytes(StandardCharsets.UTF_8));
            }
        } else {
            AtomicFiles.delete(file);
        }
    }

    Path path() {
        return file;
    }
}
