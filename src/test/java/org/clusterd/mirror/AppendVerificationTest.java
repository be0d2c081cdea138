package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file that grew is verified against the block sums of its last common content instead of
 * being hashed again; whatever changed inside the old part (same size or not) is still found, and
 * then the file is never taken for an append.
 */
class AppendVerificationTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path state;

    private Path bigFile(long size) throws Exception {
        root = Files.createDirectories(tmp.resolve("set"));
        state = Files.createDirectories(tmp.resolve("state"));
        Path f = root.resolve("spool");
        byte[] data = new byte[(int) size];
        new Random(7).nextBytes(data);
        Files.write(f, data);
        return f;
    }

    private record Scan(FileEntry entry, Scanner.Result result) {}

    private Scan scan(List<FileEntry> base) throws Exception {
        List<FileEntry> out = new ArrayList<>();
        Scanner.Result r;
        try (SumsStore sums = SumsStore.open(state, "s")) {
            r = Scanner.scan(root, Excludes.of(), false, EntryIterator.of(base), sums, null, out::add);
            sums.commit();
        }
        return new Scan(out.stream().filter(e -> e.path().equals("spool")).findFirst().orElseThrow(), r);
    }

    private static void append(Path f, int bytes) throws Exception {
        byte[] more = new byte[bytes];
        new Random(bytes).nextBytes(more);
        Files.write(f, more, StandardOpenOption.APPEND);
    }

    private static void poke(Path f, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x20));
            b.rewind();
            ch.write(b, at);
        }
    }

    @Test
    void anAppendToALargeFileHashesOnlyTheNewBytesAndNotesTheOldContentAsItsPrefix() throws Exception {
        Path f = bigFile((5L << 20) + 12_345);
        FileEntry first = scan(List.of()).entry();
        append(f, 100_000);

        Scan again = scan(List.of(first));

        assertThat(again.result().hashedBytes()).isEqualTo(100_000);
        assertThat(again.entry().prefixLength()).isEqualTo(first.size());
        assertThat(again.entry().prefixHash()).isEqualTo(first.hash());
        assertThat(again.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());

        append(f, 3 << 20); // the sums were renewed: a second append is verified the same way
        Scan third = scan(List.of(again.entry()));
        assertThat(third.result().hashedBytes()).isEqualTo(3 << 20);
        assertThat(third.entry().prefixHash()).isEqualTo(again.entry().hash());
        assertThat(third.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());
    }

    @Test
    void sumsTakenInAFullReadThatAlsoHashedAPrefixServeTheNextAppend() throws Exception {
        Path f = bigFile((5L << 20) + 12_345);
        FileEntry first = scan(List.of()).entry();
        Files.delete(state.resolve("s.sums"));
        append(f, 2_000_000); // grown without sums: hashed in full, the old size's hash taken on the way
        Scan full = scan(List.of(first));
        assertThat(full.result().hashedBytes()).isEqualTo(Files.size(f));
        assertThat(full.entry().prefixHash()).isEqualTo(first.hash());
        append(f, 50_000);

        Scan again = scan(List.of(full.entry()));

        assertThat(again.result().hashedBytes()).isEqualTo(50_000);
        assertThat(again.entry().prefixHash()).isEqualTo(full.entry().hash());
        assertThat(again.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());
    }

    @Test
    void aLargeFileRewrittenInTheMiddleAndGrownIsHashedInFullAndNotTakenForAnAppend() throws Exception {
        for (long at : new long[] {0, 2_500_000, (5L << 20) + 10_000}) { // a whole block, and the short last one
            Path f = bigFile((5L << 20) + 12_345);
            FileEntry first = scan(List.of()).entry();
            poke(f, at); // an in-place rewrite of the same length, like a client updating a flag
            append(f, 100_000);

            Scan again = scan(List.of(first));

            assertThat(again.entry().prefixHash()).as("byte %d changed", at).isNotEqualTo(first.hash());
            assertThat(again.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());
            assertThat(again.result().hashedBytes()).isEqualTo(Files.size(f));
            Files.delete(state.resolve("s.sums"));
        }
    }

    @Test
    void aRewriteThatShiftsTheOldContentIsFound() throws Exception {
        Path f = bigFile(6L << 20);
        FileEntry first = scan(List.of()).entry();
        byte[] all = Files.readAllBytes(f);
        byte[] shifted = new byte[all.length + 10];
        System.arraycopy(all, 0, shifted, 10, all.length); // ten bytes inserted at the front
        Files.write(f, shifted);

        Scan again = scan(List.of(first));

        assertThat(again.entry().prefixHash()).isNotEqualTo(first.hash());
        assertThat(again.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());
    }

    @Test
    void sumsThatDoNotDescribeTheBaseOrAreDamagedAreNotUsed() throws Exception {
        Path f = bigFile(5L << 20);
        FileEntry first = scan(List.of()).entry();
        append(f, 1000);
        FileEntry otherBase = first.withHash(Hashing.of(new byte[] {1}));

        Scan stale = scan(List.of(otherBase));
        assertThat(stale.result().hashedBytes()).isEqualTo(Files.size(f));
        assertThat(stale.entry().prefixHash()).isNotEqualTo(otherBase.hash());

        FileEntry second = stale.entry();
        append(f, 1000);
        Path sums = state.resolve("s.sums");
        byte[] bytes = Files.readAllBytes(sums);
        bytes[bytes.length / 2] ^= 1;
        Files.write(sums, bytes);
        Scan damaged = scan(List.of(second));
        assertThat(damaged.result().hashedBytes()).isEqualTo(Files.size(f));
        assertThat(damaged.entry().prefixHash()).isEqualTo(second.hash());
        assertThat(damaged.entry().hash()).isEqualTo(Hashing.file(f, -1).hash());
    }

    @Test
    void aResumedContentHashEqualsOneOverTheWholeStream() {
        byte[] data = new byte[1000];
        new Random(3).nextBytes(data);
        for (int cut : new int[] {0, 1, 15, 16, 17, 999}) {
            ContentHash a = new ContentHash();
            a.update(data, 0, cut);
            ContentHash b = ContentHash.resume(a.state());
            b.update(data, cut, data.length - cut);
            assertThat(b.hex()).isEqualTo(Hashing.of(data));
        }
        assertThat(ContentHash.resume(new byte[3])).isNull();
    }
}
