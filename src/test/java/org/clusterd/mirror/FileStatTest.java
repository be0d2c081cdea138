package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStatTest {
    @TempDir
    Path dir;

    @Test
    void testsReadTheJdksAttributeObjectAsTheDaemonDoes() {
        // surefire passes --add-opens as the jar's manifest does; without it this test would only
        // exercise the fallback
        assertThat(FileStat.fast()).isTrue();
    }

    @Test
    void theFastReadingGivesTheSameEntriesAsTheAttributeMap() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "content");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_123L));
        Path setuid = Files.writeString(dir.resolve("setuid"), "x");
        Files.setAttribute(setuid, "unix:mode", 04755);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwx--x---"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), Path.of("nowhere"));
        Path empty = Files.createFile(dir.resolve("empty"));

        for (Path p : List.of(file, setuid, sub, link, dangling, empty)) {
            String rel = p.getFileName().toString();
            assertThat(FileStat.stat(p, rel)).as(rel).isEqualTo(FileStat.statByMap(p, rel)).isNotNull();
        }
        assertThat(FileStat.stat(setuid, "setuid").mode()).isEqualTo(04755);
        assertThat(FileStat.stat(link, "link").type()).isEqualTo(EntryType.SYMLINK);
        assertThat(FileStat.stat(file, "file").mtimeNs()).isEqualTo(1_700_000_000_123_000_000L);
    }

    @Test
    void aMissingPathIsNull() throws Exception {
        assertThat(FileStat.stat(dir.resolve("missing"), "missing")).isNull();
        assertThat(FileStat.statByMap(dir.resolve("missing"), "missing")).isNull();
    }

    @Test
    void specialFilesAreLeftOut() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(p.waitFor()).isZero();
        assertThat(FileStat.stat(fifo, "fifo")).isNull();
    }
}
