package org.clusterd.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Comparing directory trees in tests: every path with its type, content hash, mode and time. */
final class Trees {
    private Trees() {}

    /** path -> description, markers and temp files left out. */
    static TreeMap<String, String> describe(Path root) {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (p.equals(root) || p.getFileName().toString().equals(Excludes.MARKER)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                FileEntry e = FileStat.stat(p, rel);
                String d;
                if (e.type() == EntryType.FILE) {
                    d = "file " + Hashing.file(p, -1).hash() + " " + Integer.toOctalString(e.mode()) + " " + e.mtimeNs();
                } else if (e.type() == EntryType.DIR) {
                    d = "dir " + Integer.toOctalString(e.mode());
                } else {
                    d = "link " + e.linkTarget();
                }
                out.put(rel, d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Paths under root whose name contains {@code part}. */
    static List<String> named(Path root, String part) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().contains(part)) {
                    out.add(root.relativize(p).toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
