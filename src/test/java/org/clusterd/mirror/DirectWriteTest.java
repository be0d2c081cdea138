package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A large file's data written past the page cache lands whole, byte for byte, or the cached way. */
class DirectWriteTest {
    @TempDir
    Path dir;

    private static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Gives {@code data} in pieces of the sizes a session's payloads have, and some odd ones. */
    private static void writeInPieces(DirectWrite w, byte[] data) throws Exception {
        int[] pieces = {256 << 10, 7, 4096, 1, 100_000, 4095};
        int off = 0;
        for (int i = 0; off < data.length; i++) {
            int n = Math.min(pieces[i % pieces.length], data.length - off);
            byte[] piece = new byte[n];
            System.arraycopy(data, off, piece, 0, n);
            w.write(piece);
            off += n;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, DirectWrite.BUFFER - 1, DirectWrite.BUFFER, DirectWrite.BUFFER + 1,
            3 * DirectWrite.BUFFER + 12_345})
    void everyByteLandsInOrderWhateverTheSizeAndTheLastPartialBlock(int size) throws Exception {
        Path file = dir.resolve("spool");
        byte[] data = data(size, size);
        try (FileChannel cached = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DirectWrite w = DirectWrite.open(file, cached, DirectWrite.buffer());
            assertThat(w).as("O_DIRECT taken where the tests run (ext4 here and in CI; tmpfs from Linux 6.6)").isNotNull();
            writeInPieces(w, data);
            w.finish();
            assertThat(w.fellBack()).as("every whole block went direct").isFalse();
            cached.force(true);
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void oneBufferServesFileAfterFileEvenAfterOneWasAbandonedHalfway() throws Exception {
        java.nio.ByteBuffer shared = DirectWrite.buffer();
        byte[] first = data(DirectWrite.BUFFER / 2 + 3, 1);
        try (FileChannel cached = FileChannel.open(dir.resolve("abandoned"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             DirectWrite w = DirectWrite.open(dir.resolve("abandoned"), cached, shared)) {
            assertThat(w).as("O_DIRECT taken where the tests run (ext4 here and in CI; tmpfs from Linux 6.6)").isNotNull();
            w.write(first); // buffered, never finished: the connection failed
        }
        byte[] second = data(DirectWrite.BUFFER + 4096 * 3 + 17, 2);
        Path file = dir.resolve("next");
        try (FileChannel cached = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DirectWrite w = DirectWrite.open(file, cached, shared);
            writeInPieces(w, second);
            w.finish();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(second);
    }

    @Test
    void aFailingDirectWriteIsRedoneThroughThePageCacheFromWhereItFailed() throws Exception {
        Path file = dir.resolve("spool");
        byte[] data = data(2 * DirectWrite.BUFFER + 99, 7);
        Path other = dir.resolve("other");
        Files.createFile(other);
        try (FileChannel cached = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileChannel failing = FileChannel.open(other, StandardOpenOption.WRITE);
            failing.close(); // every write now fails with ClosedChannelException, an IOException
            DirectWrite w = new DirectWrite(file, cached, failing, DirectWrite.buffer());
            writeInPieces(w, data);
            w.finish();
            assertThat(w.fellBack()).isTrue();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(other).isEmptyFile();
    }

    @Test
    void aFailureAfterSomeDirectBlocksLeavesThemAndWritesTheRestCached() throws Exception {
        Path file = dir.resolve("spool");
        byte[] data = data(3 * DirectWrite.BUFFER + 5, 9);
        try (FileChannel cached = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // the "direct" channel: the same file, closed after the first buffer went through it
            FileChannel first = FileChannel.open(file, StandardOpenOption.WRITE);
            DirectWrite w = new DirectWrite(file, cached, first, DirectWrite.buffer());
            byte[] head = new byte[DirectWrite.BUFFER];
            System.arraycopy(data, 0, head, 0, head.length);
            w.write(head);
            assertThat(Files.size(file)).isEqualTo(DirectWrite.BUFFER);
            first.close();
            byte[] rest = new byte[data.length - head.length];
            System.arraycopy(data, head.length, rest, 0, rest.length);
            w.write(rest);
            w.finish();
            assertThat(w.fellBack()).isTrue();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }
}
