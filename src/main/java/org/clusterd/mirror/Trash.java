package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where overwritten and deleted files go instead of the void: {@code DIR/SET/STAMP/RELATIVE-PATH},
 * one {@code STAMP} directory per pass. The whole trash is kept under {@code maxBytes}: the oldest
 * passes are removed first; a single file larger than the limit is not kept.
 */
final class Trash {
    private static final Logger log = LoggerFactory.getLogger(Trash.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path dir;
    private final long maxBytes;

    Trash(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** A pass's place in the trash. */
    Path passDir(String set, Instant start) {
        return dir.resolve(set).resolve(STAMP.format(start));
    }

    /** Keeps a copy of {@code file} (a hard link where possible) while it stays in place. */
    void keepCopy(Path pass, Path file, String rel, long size) throws IOException {
        if (size > maxBytes) {
            log.warn("Not keeping {} in the trash: {} bytes exceed the trash limit of {}", rel, size, maxBytes);
            return;
        }
        Path dest = pass.resolve(rel);
        Files.createDirectories(dest.getParent());
        Files.deleteIfExists(dest);
        try {
            if (Files.isSymbolicLink(file)) {
                Files.copy(file, dest, LinkOption.NOFOLLOW_LINKS);
            } else {
                Files.createLink(dest, file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, dest, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /** Moves {@code file} into the trash (deleting it from the set). */
    void move(Path pass, Path file, String rel, long size) throws IOException {
        if (size > maxBytes) {
            log.warn("Deleting {} without keeping it: {} bytes exceed the trash limit of {}", rel, size, maxBytes);
            Files.delete(file);
            return;
        }
        Path dest = pass.resolve(rel);
        Files.createDirectories(dest.getParent());
        Files.deleteIfExists(dest);
        try {
            Files.move(file, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            // the set is on another file system than the state directory (its own mount, as is usual
            // for data): keep a copy, then delete; the copy is history, so it is not synced
            Files.copy(file, dest, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            Files.delete(file);
        }
    }

    /** Removes the oldest passes until the trash fits its limit. */
    void prune() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            List<Path> passes = new ArrayList<>();
            try (Stream<Path> sets = Files.list(dir)) {
                for (Path set : sets.toList()) {
                    try (Stream<Path> ps = Files.list(set)) {
                        passes.addAll(ps.toList());
                    }
                }
            }
            passes.sort(Comparator.comparing(p -> p.getFileName().toString()));
            long total = 0;
            List<Long> sizes = new ArrayList<>();
            for (Path p : passes) {
                long s = size(p);
                sizes.add(s);
                total += s;
            }
            for (int i = 0; i < passes.size() && total > maxBytes; i++) {
                deleteTree(passes.get(i));
                total -= sizes.get(i);
            }
        } catch (IOException e) {
            log.warn("Cannot prune the mirror trash {}: {}", dir, e.toString());
        }
    }

    private static long size(Path p) throws IOException {
        long[] total = {0};
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                total[0] += a.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
