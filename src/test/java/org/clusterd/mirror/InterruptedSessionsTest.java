package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterruptedSessionsTest {
    @TempDir
    Path dir;

    private Path state() throws Exception {
        return Files.createDirectories(dir.resolve("state"));
    }

    private Path root() throws Exception {
        Path root = Files.createDirectories(dir.resolve("set/sub"));
        Files.writeString(root.resolve("keep.txt"), "data");
        Files.writeString(root.resolve(Excludes.TEMP_PREFIX + "half"), "half a file");
        return dir.resolve("set");
    }

    @Test
    void aCompletedSessionTouchesNothingAndLowersItsFlag() throws Exception {
        Path root = root();
        InterruptedSessions.begin(state(), "s", root);
        InterruptedSessions.end(state(), "s", root, true);
        assertThat(root.resolve("sub/" + Excludes.TEMP_PREFIX + "half")).exists();
        assertThat(state()).isEmptyDirectory();
    }

    @Test
    void aSessionThatEndedEarlySweepsItsTemporaryFiles() throws Exception {
        Path root = root();
        InterruptedSessions.begin(state(), "s", root);
        InterruptedSessions.end(state(), "s", root, false);
        assertThat(root.resolve("sub/" + Excludes.TEMP_PREFIX + "half")).doesNotExist();
        assertThat(root.resolve("sub/keep.txt")).hasContent("data");
        assertThat(state()).isEmptyDirectory();
    }

    @Test
    void theFlagOfASessionThatDiedWithTheNodeMakesTheNextStartSweep() throws Exception {
        Path root = root();
        InterruptedSessions.begin(state(), "s", root); // then power loss: no end()
        InterruptedSessions.afterRestart(state(), "s", root);
        assertThat(root.resolve("sub/" + Excludes.TEMP_PREFIX + "half")).doesNotExist();
        assertThat(state()).isEmptyDirectory();
    }

    @Test
    void withoutAFlagNothingIsSweptAtStart() throws Exception {
        Path root = root();
        InterruptedSessions.afterRestart(state(), "s", root);
        assertThat(root.resolve("sub/" + Excludes.TEMP_PREFIX + "half")).exists();
    }

    @Test
    void theSweepNeverFollowsASymlinkOutOfTheSet() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path victim = Files.writeString(outside.resolve(Excludes.TEMP_PREFIX + "not-ours"), "x");
        Path root = root();
        Files.createSymbolicLink(root.resolve("link"), outside);
        InterruptedSessions.sweep("s", root, "test");
        assertThat(victim).exists();
    }

    @Test
    void theSweepEmptiesAndRemovesLandingDirectoriesAndTheScanNeverSeesThem() throws Exception {
        Path root = root();
        Path landing = new LandingDirs(root, new TempNames(), new PathGuard.Resolver(root)).temp().path();
        Files.writeString(landing, "half-landed");

        List<FileEntry> seen = new java.util.ArrayList<>();
        Scanner.scan(root, Excludes.of(), false, EntryIterator.empty(), seen::add);
        assertThat(seen).extracting(FileEntry::path).noneMatch(p -> p.contains(Excludes.TEMP_PREFIX));

        InterruptedSessions.sweep("s", root, "test");
        assertThat(root.resolve(LandingDirs.PREFIX + "0")).doesNotExist();
        assertThat(root.resolve("sub/keep.txt")).exists();
    }
}
