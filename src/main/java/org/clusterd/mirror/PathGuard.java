package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

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
        return Resolver.byName(root).resolveOrNull(rel);
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
     * file has the same parent, instead of one check per file. Where it can ({@link AnchoredDirs}),
     * the parent is held open and the path returned is {@code /proc/self/fd/N/NAME}, so what is done
     * with it happens in the directory that was checked, even if a directory on its way is swapped for
     * a symlink meanwhile; elsewhere each component is checked with an lstat, and the check and the
     * use are two steps. Whoever moves, deletes or replaces directories calls {@link #forget()} first.
     * Thread-safe; {@link #close()} at the end of the session.
     */
    static final class Resolver implements AutoCloseable {
        private final Path root;
        private final AnchoredDirs dirs;
        private String parentRel;
        private Path parent;
        private AnchoredDirs.Dir held;
        private final java.util.List<AnchoredDirs.Dir> pinned = new java.util.ArrayList<>();

        /** Holds directories open where it can. */
        Resolver(Path root) {
            this(root, AnchoredDirs.open(root));
        }

        private Resolver(Path root, AnchoredDirs dirs) {
            this.root = root;
            this.dirs = dirs;
        }

        /** A resolver that checks each path by name and holds nothing open. */
        static Resolver byName(Path root) {
            return new Resolver(root, null);
        }

        /** Whether paths are held open, not only checked. */
        boolean anchored() {
            return dirs != null;
        }

        /** As {@link PathGuard#resolveOrNull}, reusing the last verified parent. */
        synchronized Path resolveOrNull(String rel) throws IOException {
            AtPath at = locate(rel);
            return at == null ? null : at.path();
        }

        /**
         * As {@link #resolveOrNull}, with the held directory's descriptor and the file's name in it
         * where this resolver holds directories; that descriptor stays valid while the directory is
         * held ({@link #hold()}, or until this resolver moves on).
         */
        synchronized AtPath locate(String rel) throws IOException {
            check(rel);
            int slash = rel.lastIndexOf('/');
            if (slash < 0) {
                return AtPath.of(root.resolve(rel));
            }
            if (parentRel == null || !rel.regionMatches(0, parentRel, 0, slash) || parentRel.length() != slash) {
                forget();
                String dir = rel.substring(0, slash);
                try {
                    if (dirs != null) {
                        held = dirs.open(dir);
                        parent = held.path;
                    } else {
                        parent = verifiedParent(root, rel, dir);
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    return null;
                }
                parentRel = dir;
            }
            return AtPath.in(held == null ? AtPath.CWD : held.fd, parent, rel.substring(slash + 1));
        }

        /**
         * Keeps the directory of the path resolved last open until the returned action runs (once),
         * for work that goes on after this resolver has moved to another directory.
         */
        synchronized Runnable hold() {
            AnchoredDirs.Dir d = held;
            if (d == null) {
                return () -> { };
            }
            dirs.retain(d);
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    dirs.release(d);
                }
            };
        }

        /**
         * The directory {@code rel} (checked), held open until {@link #close()}: for the session's own
         * directories at the root ({@link LandingDirs}).
         */
        synchronized OpenDir pin(String rel) throws IOException {
            check(rel);
            if (dirs == null) {
                return new OpenDir(AtPath.CWD, verifiedParent(root, rel + "/x", rel));
            }
            AnchoredDirs.Dir d = dirs.open(rel);
            pinned.add(d);
            return new OpenDir(d.fd, d.path);
        }

        /** {@code text} (an error message) with held directories shown by their paths in the set. */
        String shown(String text) {
            return dirs == null ? text : dirs.shown(text);
        }

        /** Drops the remembered parent: the next path is checked afresh. */
        synchronized void forget() {
            if (held != null) {
                dirs.release(held);
                held = null;
            }
            parentRel = null;
            parent = null;
        }

        /** Lets go of what this resolver holds; what others still hold closes when they let it go. */
        @Override
        public synchronized void close() {
            forget();
            if (dirs != null) {
                pinned.forEach(dirs::release);
                pinned.clear();
                dirs.close();
            }
        }
    }

    /** A directory as {@link Resolver#pin} holds it: its descriptor ({@link AtPath#CWD} where none is held) and path. */
    record OpenDir(int fd, Path path) {
        /** The file {@code name} in it. */
        AtPath file(String name) {
            return AtPath.in(fd, path, name);
        }
    }

    /**
     * Whether a symlink at {@code linkPath} with {@code target} points to somewhere inside the set: a
     * relative target whose {@code ..} components all come first and climb no higher than the link's
     * own directory. A {@code ..} after a name is refused even where the text stays inside: the name
     * may itself be a link ({@code a/b/c -> ../..} makes {@code esc -> a/b/c/../etc} leave the set),
     * so only with this rule does every link of the set, followed one after another, stay inside
     * (the rule rsync's {@code --safe-links} took for the same hole, CVE-2024-12088).
     */
    public static boolean linkStaysInside(String linkPath, String target) {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
            return false;
        }
        int depth = linkPath.split("/").length - 1;
        boolean named = false;
        for (String c : target.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (named || --depth < 0) {
                    return false;
                }
            } else {
                named = true;
            }
        }
        return true;
    }
}
