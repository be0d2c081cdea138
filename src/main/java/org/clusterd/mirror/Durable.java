package org.clusterd.mirror;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Making renames and new files survive a crash: fsync of files and of their directories. */
final class Durable {
    private Durable() {}

    /** Forces a directory's entries (a rename or create in it) to disk. */
    static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Atomically replaces {@code target} with the already synced {@code temp}, and syncs the directory. */
    static void replace(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDir(target.toAbsolutePath().getParent());
    }
}
