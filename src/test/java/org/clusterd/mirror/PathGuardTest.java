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
        PathGuard.Resolver r = new PathGuard.Resolver(root);
        assertThat(r.resolveOrNull("top.txt")).isEqualTo(root.resolve("top.txt"));
        assertThat(r.resolveOrNull("a/b/one")).isEqualTo(root.resolve("a/b/one"));
        assertThat(r.resolveOrNull("a/b/two")).isEqualTo(root.resolve("a/b/two"));
        assertThat(r.resolveOrNull("a/three")).isEqualTo(root.resolve("a/three"));
        assertThat(r.resolveOrNull("a/missing/four")).isNull();
        assertThat(r.resolveOrNull("a/b/five")).isEqualTo(root.resolve("a/b/five"));
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
}
