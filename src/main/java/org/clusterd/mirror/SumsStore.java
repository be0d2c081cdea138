package org.clusterd.mirror;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BlockSums} of a set's large files as this node's last scan read them, kept in the state
 * directory as {@code NAME.sums}, one record per path in {@link PathOrder}. A scan reads the old file
 * alongside its walk and writes a new one; {@link #commit()} puts it in place.
 *
 * <p>It is a cache and never decides anything alone: a record is used only when its hash state gives
 * the very hash the last common sync recorded for the path ({@link BlockSums#describe}), and then
 * only to check the old part of a grown file. Each record carries a CRC32C; a damaged record ends the
 * reading (the files after it are hashed in full). So it is written without fsync: after a crash a
 * missing or torn file costs one full read of each large file that grew, nothing more.
 */
final class SumsStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SumsStore.class);
    private static final byte[] MAGIC = {'C', 'L', 'D', 'S', 'U', 'M', 'S', '\n'};
    private static final int VERSION = 1;
    private static final int MAX_BLOCKS = 1 << 24;

    private final Path file;
    private final Path temp;
    private DataInputStream in;
    private String nextPath;
    private BlockSums nextSums;
    private final DataOutputStream out;
    private boolean done;

    private SumsStore(Path file, boolean write) throws IOException {
        this.file = file;
        this.temp = write ? file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID()) : null;
        this.out = write ? new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) : null;
        if (write) {
            out.write(MAGIC);
            out.writeInt(VERSION);
        }
        openOld();
    }

    /** What a record of the stored file holds. */
    interface Visitor {
        void visit(String path, BlockSums sums) throws IOException;
    }

    /** Visits the stored records in order without starting a new file. */
    static void forEach(Path storeFile, Visitor v) throws IOException {
        SumsStore s = new SumsStore(storeFile, false);
        try {
            while (s.nextPath != null) {
                String path = s.nextPath;
                BlockSums sums = s.nextSums;
                s.advance();
                v.visit(path, sums);
            }
        } finally {
            s.stopReading();
        }
    }

    Path file() {
        return file;
    }

    /** The store of {@code set} in the state directory {@code dir}. */
    static SumsStore open(Path dir, String set) throws IOException {
        return new SumsStore(dir.resolve(set + ".sums"), true);
    }

    private void openOld() {
        try {
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC) || in.readInt() != VERSION) {
                throw new IOException("not a sums file of version " + VERSION);
            }
            advance();
        } catch (NoSuchFileException e) {
            in = null;
        } catch (IOException e) {
            log.info("Block sums {} unusable, large files that grew are hashed in full: {}", file, e.toString());
            stopReading();
        }
    }

    /** Reads the next record, or ends the reading at the end or at damage. */
    private void advance() {
        nextPath = null;
        nextSums = null;
        if (in == null) {
            return;
        }
        try {
            if (in.readByte() != 1) {
                stopReading();
                return;
            }
            int len = in.readInt();
            if (len < 0 || len > 1 << 20) {
                throw new IOException("bad record length " + len);
            }
            byte[] rec = new byte[len];
            in.readFully(rec);
            CRC32C crc = new CRC32C();
            crc.update(rec);
            if (in.readInt() != (int) crc.getValue()) {
                throw new IOException("record checksum does not match");
            }
            DataInputStream r = new DataInputStream(new java.io.ByteArrayInputStream(rec));
            String path = EntryCodec.readString(r);
            long size = r.readLong();
            byte[] state = new byte[ContentHash.STATE_BYTES];
            r.readFully(state);
            int n = r.readInt();
            if (n < 0 || n > MAX_BLOCKS) {
                throw new IOException("bad block count " + n);
            }
            long[] blocks = new long[n];
            for (int i = 0; i < n; i++) {
                blocks[i] = r.readLong();
            }
            nextPath = path;
            nextSums = new BlockSums(size, state, blocks);
        } catch (EOFException e) {
            stopReading();
        } catch (IOException e) {
            log.info("Block sums {} damaged, the rest is ignored: {}", file, e.toString());
            stopReading();
        }
    }

    private void stopReading() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                log.debug("close", e);
            }
        }
        in = null;
        nextPath = null;
        nextSums = null;
    }

    /** The old sums of {@code path}, or null; paths must be asked in {@link PathOrder}. */
    BlockSums find(String path) {
        while (nextPath != null && PathOrder.compare(nextPath, path) < 0) {
            advance();
        }
        if (nextPath != null && nextPath.equals(path)) {
            BlockSums s = nextSums;
            advance();
            return s;
        }
        return null;
    }

    /** Records the sums of {@code path} in the new file; paths in {@link PathOrder}. */
    void add(String path, BlockSums sums) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + sums.blocks().length * 8);
        DataOutputStream r = new DataOutputStream(bytes);
        EntryCodec.writeString(r, path);
        r.writeLong(sums.size());
        r.write(sums.hashState());
        r.writeInt(sums.blocks().length);
        for (long b : sums.blocks()) {
            r.writeLong(b);
        }
        byte[] rec = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(rec);
        out.writeByte(1);
        out.writeInt(rec.length);
        out.write(rec);
        out.writeInt((int) crc.getValue());
    }

    /** Makes the new file the current one. */
    void commit() throws IOException {
        out.writeByte(0);
        out.close();
        stopReading();
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        done = true;
    }

    @Override
    public void close() throws IOException {
        stopReading();
        if (!done && out != null) {
            out.close();
            Files.deleteIfExists(temp);
        }
    }
}
