package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-session resolver: what it checks, what it reuses, and when it checks again. */
class PathGuardTest {
    @TempDir
    Path root;
    @TempDir
    Path outside;

    @Test
    void filesInOneDirectoryResolveUnderTheRootAndMissingParentsGiveNull() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        for (PathGuard.Resolver r : new PathGuard.Resolver[] {new PathGuard.Resolver(root), PathGuard.Resolver.byName(root)}) {
            assertThat(r.resolveOrNull("top.txt")).isEqualTo(root.resolve("top.txt"));
            assertSameFile(r.resolveOrNull("a/b/one"), root.resolve("a/b/one"));
            assertSameFile(r.resolveOrNull("a/b/two"), root.resolve("a/b/two"));
            assertSameFile(r.resolveOrNull("a/three"), root.resolve("a/three"));
            assertThat(r.resolveOrNull("a/missing/four")).isNull();
            assertSameFile(r.resolveOrNull("a/b/five"), root.resolve("a/b/five"));
            r.close();
        }
    }

    /** The same name in the same directory, whether reached by name or through a held directory. */
    private static void assertSameFile(Path got, Path expected) throws java.io.IOException {
        assertThat(got.getFileName()).isEqualTo(expected.getFileName());
        assertThat(got.getParent().toRealPath()).isEqualTo(expected.getParent().toRealPath());
    }

    @Test
    void aParentThatIsASymlinkIsRefusedAndMalformedPathsToo() throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/evil"), outside);
        PathGuard.Resolver r = new PathGuard.Resolver(root);
        assertThatThrownBy(() -> r.resolveOrNull("a/evil/passwd")).isInstanceOf(PathGuard.RefusedPath.class);
        assertThatThrownBy(() -> r.resolveOrNull("a/../../etc/passwd")).isInstanceOf(PathGuard.RefusedPath.class);
        assertThatThrownBy(() -> r.resolveOrNull("/etc/passwd")).isInstanceOf(PathGuard.RefusedPath.class);
    }

    @Test
    void afterForgetADirectoryReplacedByASymlinkIsRefused() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        PathGuard.Resolver r = new PathGuard.Resolver(root);
        assertThat(r.resolveOrNull("a/b/one")).isNotNull();
        Files.delete(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/b"), outside);
        r.forget();
        assertThatThrownBy(() -> r.resolveOrNull("a/b/two")).isInstanceOf(PathGuard.RefusedPath.class);
    }

    @Test
    void aNewParentIsCheckedEvenWithoutForget() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.createDirectories(root.resolve("a/c"));
        PathGuard.Resolver r = new PathGuard.Resolver(root);
        assertThat(r.resolveOrNull("a/b/one")).isNotNull();
        Files.delete(root.resolve("a/c"));
        Files.createSymbolicLink(root.resolve("a/c"), outside);
        assertThatThrownBy(() -> r.resolveOrNull("a/c/two")).isInstanceOf(PathGuard.RefusedPath.class);
    }

    @Test
    void aResolvedPathStaysInTheCheckedDirectoryWhenItIsSwappedForASymlink() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        try (PathGuard.Resolver r = new PathGuard.Resolver(root)) {
            assumeAnchored(r);
            Path file = r.resolveOrNull("a/b/report.doc");
            // a local user swaps the checked directory for a link out of the set, after the check
            Files.move(root.resolve("a/b"), root.resolve("a/b.moved"));
            Files.createSymbolicLink(root.resolve("a/b"), outside);
            Files.writeString(file, "mirrored");
            Path temp = file.resolveSibling(".clusterd-tmp-x");
            Files.writeString(temp, "new");
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(outside).isEmptyDirectory();
            assertThat(root.resolve("a/b.moved/report.doc")).hasContent("new");
            // the next path in that directory is checked again and refused
            assertThat(r.resolveOrNull("a/b/report.doc")).isEqualTo(file);
            r.forget();
            assertThatThrownBy(() -> r.resolveOrNull("a/b/report.doc")).isInstanceOf(PathGuard.RefusedPath.class);
        }
    }

    @Test
    void aHeldDirectoryStaysOpenUntilItsLastHolderLetsGo() throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("c"));
        AnchoredDirs dirs = AnchoredDirs.open(root);
        org.junit.jupiter.api.Assumptions.assumeTrue(dirs != null, "directories cannot be held open here");
        dirs.close();
        PathGuard.Resolver r = new PathGuard.Resolver(root);
        Path inA = r.resolveOrNull("a/x");
        Runnable release = r.hold();
        r.resolveOrNull("c/y"); // the resolver moves on; the landing of a/x still holds a
        r.close();
        Files.writeString(inA, "landed late");
        assertThat(root.resolve("a/x")).hasContent("landed late");
        assertThat(r.shown("cannot write " + inA)).isEqualTo("cannot write " + root.resolve("a/x"));
        release.run();
        release.run(); // once only
        assertThat(r.shown("cannot write " + inA)).isEqualTo("cannot write " + inA);
        assertThatThrownBy(() -> r.resolveOrNull("a/z")).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void atMostTheBoundOfDirectoriesIsOpenAndOneMoreWaitsForARelease() throws Exception {
        for (String d : new String[] {"a", "b", "c"}) {
            Files.createDirectories(root.resolve(d));
        }
        AnchoredDirs dirs = AnchoredDirs.open(root, 2, 10_000);
        org.junit.jupiter.api.Assumptions.assumeTrue(dirs != null, "directories cannot be held open here");
        try {
            AnchoredDirs.Dir a = dirs.open("a");
            dirs.open("b");
            var third = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return dirs.open("c");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(2))
                    .until(() -> !third.isDone());
            assertThat(dirs.openCount()).isEqualTo(2);
            dirs.release(a);
            assertThat(third.get(5, java.util.concurrent.TimeUnit.SECONDS).rel).isEqualTo("c");
            assertThat(dirs.openCount()).isEqualTo(2);
        } finally {
            dirs.close();
        }
        AnchoredDirs stuck = AnchoredDirs.open(root, 1, 200);
        try {
            stuck.open("a");
            assertThatThrownBy(() -> stuck.open("b")).hasMessageContaining("files are not landing");
        } finally {
            stuck.close();
        }
    }

    @Test
    void theWalkOneComponentAtATimeRefusesSymlinksToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LibC.canOpenDirs(), "no C library calls here");
        Files.createDirectories(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/evil"), outside);
        Files.writeString(root.resolve("a/file"), "x");
        int rootFd = LibC.openDir(root);
        try {
            int fd = LibC.walk(rootFd, "a/b");
            assertThat(Path.of(AnchoredDirs.PROC_FD + fd).toRealPath()).isEqualTo(root.resolve("a/b").toRealPath());
            LibC.close(fd);
            for (String rel : new String[] {"a/evil", "a/evil/x"}) {
                assertThatThrownBy(() -> LibC.walk(rootFd, rel)).as(rel).isInstanceOfSatisfying(LibC.NotADirectory.class,
                        e -> assertThat(e.problem).isEqualTo(LibC.DirProblem.SYMLINK));
                assertThatThrownBy(() -> LibC.openDirBeneath(rootFd, rel)).as(rel).isInstanceOfSatisfying(LibC.NotADirectory.class,
                        e -> assertThat(e.problem).isEqualTo(LibC.DirProblem.SYMLINK));
            }
            for (String rel : new String[] {"a/missing", "a/file", "a/file/x"}) {
                assertThatThrownBy(() -> LibC.walk(rootFd, rel)).as(rel).isInstanceOfSatisfying(LibC.NotADirectory.class,
                        e -> assertThat(e.problem).isEqualTo(LibC.DirProblem.MISSING));
                assertThatThrownBy(() -> LibC.openDirBeneath(rootFd, rel)).as(rel).isInstanceOfSatisfying(LibC.NotADirectory.class,
                        e -> assertThat(e.problem).isEqualTo(LibC.DirProblem.MISSING));
            }
        } finally {
            LibC.close(rootFd);
        }
    }

    @Test
    void aLinkMayClimbOnlyAtItsStartAndNoHigherThanTheSet() {
        assertThat(PathGuard.linkStaysInside("a/b/l", "../c")).isTrue();
        assertThat(PathGuard.linkStaysInside("a/b/l", "../../c/d")).isTrue();
        assertThat(PathGuard.linkStaysInside("a/b/c", "../..")).isTrue();
        assertThat(PathGuard.linkStaysInside("l", "./x/./y")).isTrue();
        assertThat(PathGuard.linkStaysInside("a/l", "../../c")).isFalse();
        assertThat(PathGuard.linkStaysInside("l", "/etc")).isFalse();
        assertThat(PathGuard.linkStaysInside("l", "")).isFalse();
        // through another link of the set: a/b/c -> ../.. makes a/b/c/../etc the parent of the set's root
        assertThat(PathGuard.linkStaysInside("esc", "a/b/c/../etc")).isFalse();
        assertThat(PathGuard.linkStaysInside("a/l", "x/../y")).isFalse();
    }

    private static void assumeAnchored(PathGuard.Resolver r) {
        org.junit.jupiter.api.Assumptions.assumeTrue(r.anchored(), "directories cannot be held open here");
    }
}
