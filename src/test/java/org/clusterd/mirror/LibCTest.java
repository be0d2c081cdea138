package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibCTest {
    @TempDir
    Path dir;

    private static long mtimeNs(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS);
    }

    @Test
    void theCallsAreThereOnThisMachine() {
        // CI and the development machine are 64-bit Linux: a silent fall back to the JDK would hide
        // that the calls below are not tested at all
        assertThat(LibC.available()).isTrue();
    }

    @Test
    void aRenameThatMustNotReplaceMovesOntoNothingAndLeavesAnythingThereAsItWas() throws Exception {
        assertThat(LibC.RenameCalls.BOUND).as("renameat2 bound").isTrue();
        Path from = Files.writeString(dir.resolve("temp"), "new");
        assertThat(LibC.renameNoReplace(from, dir.resolve("free"))).isEqualTo(LibC.NoReplace.MOVED);
        assertThat(dir.resolve("free")).hasContent("new");
        assertThat(from).doesNotExist();

        Path again = Files.writeString(dir.resolve("temp2"), "newer");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("nowhere"));
        for (String taken : new String[] {"free", "link"}) {
            assertThat(LibC.renameNoReplace(again, dir.resolve(taken))).as(taken).isEqualTo(LibC.NoReplace.EXISTS);
        }
        assertThat(dir.resolve("free")).hasContent("new");
        assertThat(Files.readSymbolicLink(dir.resolve("link"))).isEqualTo(dir.resolve("nowhere"));
        assertThat(again).hasContent("newer");
        assertThat(LibC.renameNoReplace(dir.resolve("gone"), dir.resolve("other"))).isEqualTo(LibC.NoReplace.NOT_DONE);
    }

    @Test
    void setMtimeSetsTheNanosecondsAndLeavesTheAccessTime() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        FileTime atime = FileTime.from(1_500_000_000_111_222_333L, TimeUnit.NANOSECONDS);
        Files.getFileAttributeView(f, java.nio.file.attribute.BasicFileAttributeView.class).setTimes(null, atime, null);

        assertThat(LibC.setMtime(f, 1_600_000_000_123_456_789L)).isTrue();

        assertThat(mtimeNs(f)).isEqualTo(1_600_000_000_123_456_789L);
        assertThat(Files.readAttributes(f, BasicFileAttributes.class).lastAccessTime()).isEqualTo(atime);
    }

    @Test
    void setMtimeTakesTimesBeforeTheEpoch() throws Exception {
        Path f = Files.writeString(dir.resolve("old"), "x");
        assertThat(LibC.setMtime(f, -1_500_000_000L)).isTrue();
        assertThat(mtimeNs(f)).isEqualTo(-1_500_000_000L);
    }

    @Test
    void setMtimeDoesNotFollowALink() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        long before = mtimeNs(target);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target.getFileName());

        assertThat(LibC.setMtime(link, 1_000_000_000_000_000_000L)).isTrue();

        assertThat(mtimeNs(link)).isEqualTo(1_000_000_000_000_000_000L);
        assertThat(mtimeNs(target)).isEqualTo(before);
    }

    @Test
    void aMissingFileIsLeftToTheJdkWhichNamesIt() {
        Path gone = dir.resolve("gone");
        assertThat(LibC.setMtime(gone, 1L)).isFalse();
        FileEntry e = FileEntry.file("gone", 1, 1_600_000_000_000_000_000L, 0644, null);
        assertThatThrownBy(() -> Meta.apply(gone, e)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aNameTheJdkEncodesIsTheSameFileHere() throws Exception {
        String name = "Grüße – 報告.txt";
        assumeThat(java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding")).newEncoder().canEncode(name))
                .as("the locale's file name encoding takes the name").isTrue();
        Path f = Files.writeString(dir.resolve(name), "x");
        assertThat(LibC.setMtime(f, 1_700_000_000_000_000_001L)).isTrue();
        assertThat(mtimeNs(f)).isEqualTo(1_700_000_000_000_000_001L);
    }

    @Test
    void aFileWithoutUserAttributesIsToldApartWithoutOpeningIt() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertThat(LibC.mayHaveUserXattrs(plain)).isFalse();
        assertThat(Meta.readXattrs(plain)).isEmpty();

        Path tagged = Files.writeString(dir.resolve("tagged"), "x");
        UserDefinedFileAttributeView v = Files.getFileAttributeView(tagged, UserDefinedFileAttributeView.class);
        try {
            v.write("origin", ByteBuffer.wrap("scanner-3".getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | UnsupportedOperationException e) {
            assumeThat(e).as("user extended attributes on this file system").isNull();
        }
        assertThat(LibC.mayHaveUserXattrs(tagged)).isTrue();
        assertThat(Meta.readXattrs(tagged)).containsOnlyKeys("origin");
        assertThat(new String(Meta.readXattrs(tagged).get("origin"), StandardCharsets.UTF_8)).isEqualTo("scanner-3");
    }

    @Test
    void aMissingFileMayHaveAttributesForTheJdkToReport() {
        assertThat(LibC.mayHaveUserXattrs(dir.resolve("gone"))).isTrue();
    }

    @Test
    void onlyNamesStartingWithUserCount() {
        assertThat(LibC.hasUserName(list(""), 0)).isFalse();
        assertThat(LibC.hasUserName(list("security.selinux\0"), 17)).isFalse();
        assertThat(LibC.hasUserName(list("security.selinux\0system.posix_acl_access\0"), 41)).isFalse();
        assertThat(LibC.hasUserName(list("security.selinux\0user.a\0"), 24)).isTrue();
        assertThat(LibC.hasUserName(list("user.x\0"), 7)).isTrue();
        assertThat(LibC.hasUserName(list("trusted.user.x\0"), 15)).as("user. inside a name").isFalse();
        assertThat(LibC.hasUserName(list("user\0"), 5)).as("no dot").isFalse();
        assertThat(LibC.hasUserName(list("security.x\0user.y\0"), 11)).as("only the first n bytes").isFalse();
    }

    private static byte[] list(String names) {
        return names.getBytes(StandardCharsets.US_ASCII);
    }
}
