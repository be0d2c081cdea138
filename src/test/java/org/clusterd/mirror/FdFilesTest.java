package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor calls, in a directory held open as the mirror holds its sets' directories. */
class FdFilesTest {
    @TempDir
    Path dir;

    /** {@code name} in {@code sub}, reached through sub's held descriptor. */
    private AtPath held(PathGuard.Resolver r, String rel) throws Exception {
        AtPath at = r.locate(rel);
        assertThat(at.dirfd()).as("held by descriptor").isNotEqualTo(AtPath.CWD);
        assertThat(at.name()).isEqualTo(rel.substring(rel.lastIndexOf('/') + 1));
        return at;
    }

    @Test
    void theCallsAreThereOnThisMachine() {
        // CI and the development machine are 64-bit Linux with glibc 2.28 or later
        assertThat(FdFiles.available()).isTrue();
    }

    @Test
    void aNewFileIsWrittenGivenItsMetadataAndRenamedOntoNothingInItsHeldDirectory() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        try (PathGuard.Resolver r = new PathGuard.Resolver(dir)) {
            AtPath temp = held(r, "sub/.temp");
            AtPath target = temp.sibling("report.doc");
            LandingFile f = LandingFile.create(temp);
            assertThat(f).isInstanceOf(LandingFile.Fd.class);
            f.write("hello ".getBytes(StandardCharsets.UTF_8));
            f.write("world".getBytes(StandardCharsets.UTF_8));
            long mtime = 1_600_000_000_123_456_789L;
            int uid = Meta.ROOT ? 1234 : (int) Files.getAttribute(dir, "unix:uid");
            int gid = Meta.ROOT ? 2345 : (int) Files.getAttribute(dir, "unix:gid");
            FileEntry e = new FileEntry("sub/report.doc", EntryType.FILE, 11, mtime, 0640, uid, gid, null, null, -1, null);
            f.applyMeta(e);
            f.force();
            f.written();
            assertThatThrownBy(() -> LandingFile.create(temp)).isInstanceOf(FileAlreadyExistsException.class);

            assertThat(LibC.renameNoReplace(temp, target)).isEqualTo(LibC.NoReplace.MOVED);
            Path landed = dir.resolve("sub/report.doc");
            assertThat(landed).hasContent("hello world");
            assertThat(Files.getLastModifiedTime(landed, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS)).isEqualTo(mtime);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(landed))).isEqualTo("rw-r-----");
            assertThat(Files.getAttribute(landed, "unix:uid")).isEqualTo(uid);
            assertThat(Files.getAttribute(landed, "unix:gid")).isEqualTo(gid);
            assertThat(FileStat.unchanged(FileStat.stat(landed, "sub/report.doc"), e)).isTrue();

            // the target is taken now: a second rename onto it must leave it as it is
            AtPath again = temp.sibling(".temp2");
            LandingFile g = LandingFile.create(again);
            g.write(new byte[] {1});
            g.written();
            assertThat(LibC.renameNoReplace(again, target)).isEqualTo(LibC.NoReplace.EXISTS);
            assertThat(landed).hasContent("hello world");
            assertThat(FdFiles.unlink(again)).isTrue();
            assertThat(FdFiles.unlink(again)).isFalse();
            assertThat(dir.resolve("sub/.temp2")).doesNotExist();
        }
    }

    @Test
    void anUnnamedFileAppearsOnlyWhenNamedAndNeverOverAnythingThere() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        java.util.concurrent.Semaphore open = new java.util.concurrent.Semaphore(1);
        java.util.concurrent.atomic.AtomicBoolean unsupported = new java.util.concurrent.atomic.AtomicBoolean();
        try (PathGuard.Resolver r = new PathGuard.Resolver(dir)) {
            AtPath target = held(r, "sub/mail.eml");
            LandingFile f = LandingFile.unnamed(target, 0600, open, unsupported);
            assertThat(f).as("O_TMPFILE on this file system").isInstanceOf(LandingFile.Unnamed.class);
            assertThat(f.temp()).isNull();
            assertThat(LandingFile.unnamed(target, 0600, open, unsupported)).as("no permit left").isNull();
            f.write("body".getBytes(StandardCharsets.UTF_8));
            long mtime = 1_700_000_000_000_000_007L;
            f.applyMeta(new FileEntry("sub/mail.eml", EntryType.FILE, 4, mtime, 0600,
                    (int) Files.getAttribute(dir, "unix:uid"), (int) Files.getAttribute(dir, "unix:gid"), null, null, -1, null));
            f.force();
            f.written();
            try (var listing = Files.list(dir.resolve("sub"))) {
                assertThat(listing).as("nothing named before it lands").isEmpty();
            }
            assertThat(f.landOnNothing(target)).isEqualTo(LibC.NoReplace.MOVED);
            assertThat(dir.resolve("sub/mail.eml")).hasContent("body");
            assertThat(Files.getLastModifiedTime(dir.resolve("sub/mail.eml")).to(TimeUnit.NANOSECONDS)).isEqualTo(mtime);
            assertThat(open.availablePermits()).as("the permit is back once it landed").isEqualTo(1);

            LandingFile g = LandingFile.unnamed(target, 0600, open, unsupported);
            g.write("other".getBytes(StandardCharsets.UTF_8));
            g.written();
            assertThat(g.landOnNothing(target)).isEqualTo(LibC.NoReplace.EXISTS);
            assertThat(dir.resolve("sub/mail.eml")).hasContent("body");
            assertThat(open.availablePermits()).isEqualTo(1);
            try (var listing = Files.list(dir.resolve("sub"))) {
                assertThat(listing).hasSize(1);
            }
            assertThat(unsupported).isFalse();

            // made with its permission bits; a special bit comes from the chmod after
            AtPath tool = target.sibling("tool");
            LandingFile x = LandingFile.unnamed(tool, 02750, open, unsupported);
            x.write(new byte[] {7});
            x.applyMeta(new FileEntry("sub/tool", EntryType.FILE, 1, mtime, 02750,
                    (int) Files.getAttribute(dir, "unix:uid"), (int) Files.getAttribute(dir, "unix:gid"), null, null, -1, null));
            x.written();
            assertThat(x.landOnNothing(tool)).isEqualTo(LibC.NoReplace.MOVED);
            assertThat(Files.getAttribute(dir.resolve("sub/tool"), "unix:mode")).isEqualTo(0102750);

            LandingFile h = LandingFile.unnamed(target.sibling("never"), 0600, open, unsupported);
            h.write(new byte[] {1, 2, 3});
            h.abandon();
            h.abandon();
            assertThat(open.availablePermits()).isEqualTo(1);
            assertThat(dir.resolve("sub/never")).doesNotExist();
            assertThat(unsupported).isFalse();
        }
    }

    @Test
    void aFileIsReadAndLookedAtThroughItsDescriptorAndNeverThroughASymlink() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        byte[] data = new byte[300_000];
        new java.util.Random(7).nextBytes(data);
        Path file = Files.write(dir.resolve("sub/data.bin"), data);
        Files.writeString(dir.resolve("secret"), "not to be read");
        Files.createSymbolicLink(dir.resolve("sub/link"), dir.resolve("secret"));
        try (PathGuard.Resolver r = new PathGuard.Resolver(dir)) {
            AtPath at = held(r, "sub/data.bin");
            int fd = FdFiles.openRead(at);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            try {
                FileEntry seen = FdFiles.stat(fd, "sub/data.bin", at);
                assertThat(FileStat.unchanged(seen, FileStat.stat(file, "sub/data.bin"))).isTrue();
                assertThat(seen.mode()).isEqualTo(FileStat.stat(file, "x").mode());
                assertThat(FdFiles.mayHaveUserXattrs(fd)).isFalse();

                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(64 * 1024);
                java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
                long pos = 0;
                for (int n; (n = FdFiles.pread(fd, buf, 100_000, pos, at)) > 0; pos += n) {
                    byte[] got = new byte[n];
                    buf.get(0, got);
                    read.write(got);
                }
                assertThat(read.toByteArray()).isEqualTo(data);

                Files.writeString(file, "changed", java.nio.file.StandardOpenOption.APPEND);
                assertThat(FileStat.unchanged(FdFiles.stat(fd, "sub/data.bin", at), seen)).as("seen through the open file").isFalse();
            } finally {
                FdFiles.closeQuietly(fd);
            }
            assertThat(FdFiles.openRead(held(r, "sub/link"))).isEqualTo(-LibC.ELOOP);
            assertThat(FdFiles.openRead(held(r, "sub/missing"))).isEqualTo(-LibC.ENOENT);
        }
    }

    @Test
    void dataLargerThanTheCopyBufferIsWrittenWhole() throws Exception {
        byte[] data = new byte[2 * FdFiles.BUFFER + 12_345];
        new java.util.Random(11).nextBytes(data);
        LandingFile f = LandingFile.create(AtPath.of(dir.resolve("big")));
        f.write(java.util.Arrays.copyOf(data, 100));
        f.write(java.util.Arrays.copyOfRange(data, 100, data.length));
        f.written();
        assertThat(Files.readAllBytes(dir.resolve("big"))).isEqualTo(data);
    }

    /** {@code data} cut into pieces as a session's payloads cut it, at {@code cut} bytes each. */
    private static java.util.List<byte[]> pieces(byte[] data, int cut) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (int off = 0; off < data.length; off += cut) {
            out.add(java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + cut)));
        }
        return out;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 4095, 4096, 4097, FdFiles.DIRECT_FROM - 1,
            FdFiles.DIRECT_FROM, FdFiles.DIRECT_FROM + 4097, 100_003, FdFiles.BUFFER, FdFiles.BUFFER + 1,
            3 * FdFiles.BUFFER + 4096 + 123, 1 << 20})
    void aNewFilesWholeContentLandsByteForByteUnnamedOrNamedPastThePageCacheOrNot(int size) throws Exception {
        byte[] data = new byte[size];
        new java.util.Random(size).nextBytes(data);
        Files.createDirectories(dir.resolve("sub"));
        try (PathGuard.Resolver r = new PathGuard.Resolver(dir)) {
            LandingFile named = LandingFile.create(held(r, "sub/.temp"));
            named.writeNew(pieces(data, 256 << 10));
            named.written();
            assertThat(Files.readAllBytes(dir.resolve("sub/.temp"))).isEqualTo(data);

            AtPath target = held(r, "sub/mail.eml");
            java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(1);
            LandingFile unnamed = LandingFile.unnamed(target, 0644, permits, new java.util.concurrent.atomic.AtomicBoolean());
            assertThat(unnamed).isInstanceOf(LandingFile.Unnamed.class);
            unnamed.writeNew(pieces(data, 7_777));
            unnamed.force();
            assertThat(unnamed.landOnNothing(target)).isEqualTo(LibC.NoReplace.MOVED);
            assertThat(Files.readAllBytes(dir.resolve("sub/mail.eml"))).isEqualTo(data);
        }
    }

    @Test
    void theDescriptorIsCachedAgainAfterItsWholeBlocksWentPastThePageCache() throws Exception {
        int fd = FdFiles.create(AtPath.of(dir.resolve("f")));
        try {
            FdFiles.writeNew(fd, java.util.List.of(new byte[FdFiles.DIRECT_FROM + 5000]), AtPath.of(dir.resolve("f")));
            int flags = FdFiles.Calls.fcntl(fd, 3 /* F_GETFL */, 0);
            // its metadata, sync and link need no alignment, nor would later writes
            assertThat(flags & LibC.directIoFlag()).as("O_DIRECT cleared").isZero();
        } finally {
            FdFiles.closeQuietly(fd);
        }
        assertThat(Files.size(dir.resolve("f"))).isEqualTo(FdFiles.DIRECT_FROM + 5000);
    }

    @Test
    void errorsAreTheJdksExceptionsWithTheCLibrarysReason() {
        assertThat(FdFiles.error(LibC.ENOENT, "/x/y")).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("/x/y").hasMessageContaining("No such file or directory");
        assertThat(FdFiles.error(28, "/x/y")).hasMessageContaining("No space left on device");
        assertThat(FdFiles.error(LibC.EACCES, "/x/y")).isInstanceOf(java.nio.file.AccessDeniedException.class);
    }

    @Test
    void withoutAHeldDirectoryTheWholePathIsUsed() throws Exception {
        AtPath at = AtPath.of(dir.resolve("plain"));
        assertThat(at.dirfd()).isEqualTo(AtPath.CWD);
        LandingFile f = LandingFile.create(at);
        f.write("x".getBytes(StandardCharsets.UTF_8));
        f.written();
        assertThat(dir.resolve("plain")).hasContent("x");
        assertThat(at.sibling("other").path()).isEqualTo(dir.resolve("other"));
        assertThat(at.sibling("other").name()).isEqualTo(dir.resolve("other").toString());
    }
}
