package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.clusterd.config.MirrorSetConfig.Policy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures fail the pass cleanly: the peer's files stay whole (old or new), the set reports FAILED
 * with the reason and an event, and the next pass picks up. Disk full uses a 2 MiB tmpfs mounted
 * over the peer's set (root only); permission denied an immutable directory (chattr, root on ext4).
 */
class FailureTest {
    @TempDir
    Path tmp;
    MirrorPair pair;
    Path a;
    Path b;
    boolean mounted;
    boolean immutable;

    @BeforeEach
    void start() throws Exception {
        pair = new MirrorPair(tmp, List.of(MirrorPair.set("docs", Policy.COPY)), 10_000);
        a = pair.dir("alpha", "docs");
        b = pair.dir("beta", "docs");
    }

    @AfterEach
    void stop() throws Exception {
        pair.close();
        if (immutable) {
            run("chattr", "-i", b.toString());
        }
        if (mounted) {
            run("umount", b.toString());
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void diskFullOnThePeerFailsThePassCleanlyAndTheNextPassSucceedsOnceThereIsRoom() throws Exception {
        mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", b.toString()) == 0;
        assertThat(mounted).as("mounting a 2 MiB tmpfs (the test runs as root, as CI does)").isTrue();
        Files.writeString(a.resolve("small.txt"), "fits");
        Files.write(a.resolve("doc.bin"), random(512 * 1024, 1));
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();
        byte[] before = Files.readAllBytes(b.resolve("doc.bin"));

        Files.write(a.resolve("doc.bin"), random(3 << 20, 2)); // larger than the peer's file system
        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).isEqualTo(PassResult.Status.FAILED);
        assertThat(r.reason()).containsIgnoringCase("space");
        assertThat(b.resolve("doc.bin")).hasBinaryContent(before);
        assertThat(b.resolve("small.txt")).hasContent("fits");
        assertThat(Trees.named(b, Excludes.TEMP_PREFIX)).isEmpty();
        assertThat(pair.alpha.status().get(0).lastResult()).isEqualTo("FAILED");
        assertThat(pair.alphaEvents).anyMatch(e -> e instanceof MirrorEvent.MirrorFailed f && f.reason().contains("space"));

        Files.write(a.resolve("doc.bin"), random(1 << 20, 3)); // now it fits
        PassResult again = pair.alpha.passNow("docs");
        assertThat(again.status()).as(again.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(Trees.describe(b)).isEqualTo(Trees.describe(a));
    }

    /**
     * New files whose data goes past the page cache (O_DIRECT: tmpfs takes it from Linux 6.6 on), small
     * ones landed unnamed and a large one through its temporary file, fill the peer's file system: the
     * pass fails with the reason, every file there is whole or absent, and with room it completes.
     */
    @Test
    void diskFullWhileNewFilesAreWrittenPastThePageCacheLeavesOnlyWholeFiles() throws Exception {
        mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", b.toString()) == 0;
        assertThat(mounted).as("mounting a 2 MiB tmpfs (the test runs as root, as CI does)").isTrue();
        for (int i = 0; i < 3; i++) {
            Files.write(a.resolve("mail-" + i + ".bin"), random(900 * 1024, 10 + i)); // three do not fit
        }
        Files.write(a.resolve("spool.bin"), random(3 << 20, 20)); // nor does this one alone

        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).isEqualTo(PassResult.Status.FAILED);
        assertThat(r.reason()).containsIgnoringCase("space");
        assertThat(Trees.named(b, Excludes.TEMP_PREFIX)).isEmpty();
        try (var files = Files.list(b)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".")) {
                    assertThat(f).as(name + " whole").hasBinaryContent(Files.readAllBytes(a.resolve(name)));
                }
            }
        }

        assertThat(run("mount", "-o", "remount,size=16m", "tmpfs", b.toString())).isZero();
        PassResult again = pair.alpha.passNow("docs");
        assertThat(again.status()).as(again.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(Trees.describe(b)).isEqualTo(Trees.describe(a));
    }

    /** Data usually sits on its own mount, apart from the state directory that holds the trash. */
    @Test
    void aSetOnAnotherFileSystemThanTheTrashStillDeletesAndKeepsWhatItDeletes() throws Exception {
        mounted = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", b.toString()) == 0;
        assertThat(mounted).as("mounting a tmpfs (the test runs as root, as CI does)").isTrue();
        Files.writeString(a.resolve("keep.txt"), "keep");
        Files.createDirectories(a.resolve("old"));
        Files.writeString(a.resolve("old/gone.txt"), "gone but kept");
        Files.createSymbolicLink(a.resolve("old/link"), Path.of("../keep.txt"));
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();

        Files.delete(a.resolve("old/link"));
        Files.delete(a.resolve("old/gone.txt"));
        Files.delete(a.resolve("old"));
        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).as(r.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(r.deleted()).isEqualTo(3);
        assertThat(Trees.describe(b)).isEqualTo(Trees.describe(a));
        Path trash = pair.state("beta").resolve("mirror-trash/docs");
        assertThat(Trees.named(trash, "gone.txt")).singleElement()
                .satisfies(p -> assertThat(trash.resolve(p)).hasContent("gone but kept"));
        assertThat(Trees.named(trash, "link")).singleElement()
                .satisfies(p -> assertThat(Files.readSymbolicLink(trash.resolve(p))).isEqualTo(Path.of("../keep.txt")));
    }

    /**
     * A file this node cannot read (permissions, a bad sector) fails the pass with its name, but only
     * after every other file went, so one bad file does not hold the whole set back; and nothing is
     * deleted after it. The sending thread runs without root's file access override.
     */
    @Test
    void aFileTheOwnerCannotReadFailsThePassButTheRestIsMirroredAndNothingDeletedAfterIt() throws Exception {
        Files.writeString(a.resolve("a-one.txt"), "one");
        Files.writeString(a.resolve("z-old.txt"), "old");
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();
        Files.writeString(a.resolve("m-secret.bin"), "secret");
        Files.setPosixFilePermissions(a.resolve("m-secret.bin"), java.util.Set.of());
        Files.writeString(a.resolve("z-new.txt"), "new");
        Files.delete(a.resolve("z-old.txt"));

        PassResult r;
        try (ThreadCapabilities c = ThreadCapabilities.withoutFileAccessOverride()) {
            assertThatUnreadable(a.resolve("m-secret.bin"));
            r = pair.alpha.passNow("docs");
        }

        assertThat(r.status()).isEqualTo(PassResult.Status.FAILED);
        assertThat(r.reason()).contains("could not read 1 file(s)").contains("m-secret.bin");
        assertThat(b.resolve("z-new.txt")).hasContent("new");
        assertThat(b.resolve("z-old.txt")).hasContent("old");
        assertThat(b.resolve("m-secret.bin")).doesNotExist();
        assertThat(pair.alphaEvents).anyMatch(e -> e instanceof MirrorEvent.MirrorFailed f && f.reason().contains("m-secret.bin"));
        assertThat(pair.alpha.status().get(0).lagSeconds()).isGreaterThanOrEqualTo(0);

        PassResult again = pair.alpha.passNow("docs"); // readable again (root): everything goes
        assertThat(again.status()).as(again.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(Trees.describe(b)).isEqualTo(Trees.describe(a));
    }

    private static void assertThatUnreadable(Path file) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Files.newInputStream(file).close())
                .isInstanceOf(java.nio.file.AccessDeniedException.class);
    }

    @Test
    void permissionDeniedOnThePeerFailsThePassAndItRecovers() throws Exception {
        Files.writeString(a.resolve("x.txt"), "one");
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();
        immutable = run("chattr", "+i", b.toString()) == 0;
        assertThat(immutable).as("chattr +i on the peer directory (root, ext4)").isTrue();

        Files.writeString(a.resolve("x.txt"), "two");
        Files.writeString(a.resolve("y.txt"), "new");
        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).isEqualTo(PassResult.Status.FAILED);
        assertThat(r.reason()).containsIgnoringCase("not permitted");
        assertThat(b.resolve("x.txt")).hasContent("one");

        run("chattr", "-i", b.toString());
        immutable = false;
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();
        assertThat(b.resolve("x.txt")).hasContent("two");
        assertThat(b.resolve("y.txt")).hasContent("new");
    }

    @Test
    void anUnreachablePeerFailsThePassWithTheReason() throws Exception {
        Files.writeString(a.resolve("x.txt"), "one");
        pair.beta.close();

        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).isEqualTo(PassResult.Status.FAILED);
        assertThat(r.reason()).containsIgnoringCase("refused");
        assertThat(pair.alphaEvents).anyMatch(e -> e instanceof MirrorEvent.MirrorFailed);
    }

    @Test
    void anInterruptedAppendIsUndoneFromItsJournal() throws Exception {
        Files.writeString(a.resolve("log"), "line 1\n");
        assertThat(pair.alpha.passNow("docs").ok()).isTrue();
        // a crash in the middle of an append left a half tail and the journal behind
        long mtime = Files.getLastModifiedTime(b.resolve("log")).to(TimeUnit.NANOSECONDS);
        Files.writeString(pair.state("beta").resolve("mirror/docs.append"), "log\n7\n" + mtime + "\n420\n",
                StandardCharsets.UTF_8);
        Files.writeString(b.resolve("log"), "line 2 (half", java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(b.resolve("log"), java.nio.file.attribute.FileTime.from(mtime, TimeUnit.NANOSECONDS));

        Files.writeString(a.resolve("log"), "line 2\n", java.nio.file.StandardOpenOption.APPEND);
        PassResult r = pair.alpha.passNow("docs");

        assertThat(r.status()).as(r.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(b.resolve("log")).hasContent("line 1\nline 2\n");
        assertThat(pair.state("beta").resolve("mirror/docs.append")).doesNotExist();
    }
}
