package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps every path a peer sends inside its mirror set: relative, made of plain components (no empty,
 * {@code .} or {@code ..}, no NUL), and never reached through a symlink. Symlinks whose target would
 * lead out of the set are not created.
 */
public final class PathGuard {
    static final int MAX_PATH = 4096;

    private PathGuard() {}

    /** Thrown for a path that would leave the set or is malformed. */
    public static final class RefusedPath extends IOException {
        private static final long serialVersionUID = 1L;

        public RefusedPath(String message) {
            super(message);
        }
    }

    /** Checks the form of a relative path. */
    public static String check(String rel) throws RefusedPath {
        if (rel == null || rel.isEmpty()) {
            throw new RefusedPath("empty path");
        }
        if (rel.length() > MAX_PATH) {
            throw new RefusedPath("path longer than " + MAX_PATH);
        }
        if (rel.indexOf('\0') >= 0) {
            throw new RefusedPath("path contains NUL");
        }
        if (rel.startsWith("/")) {
            throw new RefusedPath("absolute path " + rel);
        }
        for (String c : rel.split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..")) {
                throw new RefusedPath("path component '" + c + "' in " + rel);
            }
        }
        return rel;
    }

    /**
     * The file a relative path names under {@code root}, after checking that each existing parent
     * is a real directory, not a symlink.
     */
    public static Path resolve(Path root, String rel) throws IOException {
        check(rel);
        int slash = rel.lastIndexOf('/');
        Path parent = slash < 0 ? root : verifiedParent(root, rel, rel.substring(0, slash));
        return parent.resolve(slash < 0 ? rel : rel.substring(slash + 1));
    }

    /** As {@link #resolve}, but null when a parent directory is missing. */
    public static Path resolveOrNull(Path root, String rel) throws IOException {
        return new Resolver(root).resolveOrNull(rel);
    }

    /** {@code parentRel} under root, each component checked with one lstat. */
    private static Path verifiedParent(Path root, String rel, String parentRel) throws IOException {
        Path p = root;
        for (String part : parentRel.split("/")) {
            p = p.resolve(part);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new java.nio.file.NoSuchFileException(p.toString(), null, "parent directory missing: " + e);
            }
            if (a.isSymbolicLink()) {
                throw new RefusedPath("path " + rel + " leads through the symlink " + part);
            }
            if (!a.isDirectory()) {
                throw new java.nio.file.NoSuchFileException(p.toString(), null, "parent directory missing");
            }
        }
        return p;
    }

    /**
     * {@link #resolve} for one session's stream of files, which arrive in path order, a directory's
     * files one after another: the parent checked for the previous file is reused while the next
     * file has the same parent, instead of one lstat per component per file (three of a file's
     * fourteen system calls across both nodes in a full copy). A check and the use of its path were
     * never one atomic step; this widens that window from one file to one directory's run of files.
     * Whoever moves, deletes or replaces directories calls {@link #forget()} first.
     */
    static final class Resolver {
        private final Path root;
        private String parentRel;
        private Path parent;

        Resolver(Path root) {
            this.root = root;
        }

        /** As {@link PathGuard#resolveOrNull}, reusing the last verified parent. */
        Path resolveOrNull(String rel) throws IOException {
            check(rel);
            int slash = rel.lastIndexOf('/');
            if (slash < 0) {
                return root.resolve(rel);
            }
            if (parentRel == null || !rel.regionMatches(0, parentRel, 0, slash) || parentRel.length() != slash) {
                forget();
                try {
                    parent = verifiedParent(root, rel, rel.substring(0, slash));
                } catch (java.nio.file.NoSuchFileException e) {
                    return null;
                }
                parentRel = rel.substring(0, slash);
            }
            return parent.resolve(rel.substring(slash + 1));
        }

        /** Drops the remembered parent: the next path is checked afresh. */
        void forget() {
            parentRel = null;
            parent = null;
        }
    }

    /** Whether a symlink at {@code linkPath} with {@code target} points to somewhere inside the set. */
    public static boolean linkStaysInside(String linkPath, String target) {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
            return false;
        }
        Deque<String> stack = new ArrayDeque<>();
        String[] parts = linkPath.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            stack.addLast(parts[i]);
        }
        for (String c : target.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (stack.isEmpty()) {
                    return false;
                }
                stack.removeLast();
            } else {
                stack.addLast(c);
            }
        }
        return true;
    }
}
