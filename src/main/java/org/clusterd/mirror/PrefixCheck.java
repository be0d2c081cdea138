package org.clusterd.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.stream.IntStream;

/**
 * Compares the whole blocks at the start of a file with their {@link BlockSums}, in segments on the
 * common pool as well as the calling thread: reading and checksumming a 1 GB spool is memory-bound
 * work that two cores finish in about half the time of one. Stops at the first block that differs.
 * Uses positional reads, not a mapping, so a spool truncated meanwhile is a short read, not a fault.
 */
final class PrefixCheck {
    private static final int SEGMENT_BLOCKS = 16;
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BlockSums.BLOCK));

    private PrefixCheck() {}

    /** Whether blocks {@code [0, blocks)} of {@code ch} match {@code sums}. */
    static boolean matches(FileChannel ch, long[] sums, int blocks) throws IOException {
        int segments = (blocks + SEGMENT_BLOCKS - 1) / SEGMENT_BLOCKS;
        try {
            return IntStream.range(0, segments).parallel().allMatch(s -> segment(ch, sums, s * SEGMENT_BLOCKS,
                    Math.min(blocks, (s + 1) * SEGMENT_BLOCKS)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean segment(FileChannel ch, long[] sums, int from, int to) {
        ByteBuffer buf = BUFFER.get();
        try {
            for (int i = from; i < to; i++) {
                buf.clear();
                if (Hashing.fill(ch, buf, (long) i * BlockSums.BLOCK) != BlockSums.BLOCK) {
                    return false;
                }
                buf.flip();
                if (BlockSums.sum(buf) != sums[i]) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
