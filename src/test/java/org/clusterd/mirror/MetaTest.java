package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaTest {
    @TempDir
    Path dir;

    private FileEntry applied(Path p, int mode, int uid, int gid, long mtimeNs) throws Exception {
        FileEntry wanted = new FileEntry(p.getFileName().toString(), EntryType.FILE, Files.size(p), mtimeNs, mode, uid,
                gid, null, null, -1, null);
        Meta.apply(p, wanted);
        return FileStat.stat(p, wanted.path());
    }

    @Test
    void modeAndTimeAreSetAndAMatchingOwnerIsLeftAlone() throws Exception {
        Path p = Files.writeString(dir.resolve("f"), "x");
        FileEntry before = FileStat.stat(p, "f");
        FileEntry after = applied(p, 0640, before.uid(), before.gid(), 1_600_000_000_123_456_789L);
        assertThat(after.mode()).isEqualTo(0640);
        assertThat(after.mtimeNs()).isEqualTo(1_600_000_000_123_456_789L);
        assertThat(after.uid()).isEqualTo(before.uid());
    }

    @Test
    void setuidSurvivesAChangeOfOwner() throws Exception {
        Path p = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        FileEntry before = FileStat.stat(p, "tool");
        // as root (as CI runs) the owner changes; otherwise owners are not carried and stay
        int uid = Meta.ROOT ? 1234 : before.uid();
        int gid = Meta.ROOT ? 2345 : before.gid();
        FileEntry after = applied(p, 06755, 1234, 2345, 1_600_000_000_000_000_000L);
        assertThat(after.uid()).isEqualTo(uid);
        assertThat(after.gid()).isEqualTo(gid);
        assertThat(after.mode()).as("a chown clears setuid and setgid; the mode is set after it").isEqualTo(06755);
    }
}
