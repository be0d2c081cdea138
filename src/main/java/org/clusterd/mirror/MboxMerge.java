package org.clusterd.mirror;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Merging two versions of an mbox spool so that no message is lost and none is duplicated. Messages
 * start at a {@code From } line at the start of the file or after an empty line, and are kept whole.
 */
final class MboxMerge {
    private MboxMerge() {}

    /**
     * Writes {@code target[0, common) + ownerTail + target[common, end)}: both sides only appended.
     * Messages of the target's tail that the owner's tail holds too are left out: after a merge that
     * landed in a pass that then failed, the last common sync is still the old one, and the target's
     * tail already starts with the owner's messages (or the mail system delivered one message to
     * both nodes, retrying after a failover).
     */
    static void appendMerge(Path target, long common, Path ownerTail, OutputStream out) throws IOException {
        Set<String> owners = new HashSet<>();
        try (Messages m = new Messages(ownerTail, 0)) {
            for (byte[] msg = m.next(); msg != null; msg = m.next()) {
                owners.add(key(msg));
            }
        }
        Tracking t = new Tracking(out);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS), 1 << 16)) {
            copy(in, t, common);
        }
        t.separate();
        try (InputStream tail = new BufferedInputStream(Files.newInputStream(ownerTail, LinkOption.NOFOLLOW_LINKS), 1 << 16)) {
            tail.transferTo(t);
        }
        try (Messages m = new Messages(target, common)) {
            for (byte[] msg = m.next(); msg != null; msg = m.next()) {
                if (!owners.contains(key(msg))) {
                    t.separate();
                    t.write(msg);
                }
            }
        }
        t.flush();
    }

    /**
     * Writes every message of {@code owner} in its order, then each message of {@code other} from byte
     * {@code otherFrom} on that the owner's version lacks (matched by Message-ID, else by content).
     * {@code otherFrom} is the length of the last common version when {@code other} only appended to
     * it: its older messages missing from the owner's were deleted there, provably, and stay deleted.
     * With 0 every message of {@code other} is a candidate (no message lost; one deleted on the owner
     * may come back). Returns how many came from other.
     */
    static int messageMerge(Path owner, Path other, long otherFrom, OutputStream out) throws IOException {
        Set<String> keys = new HashSet<>();
        Tracking t = new Tracking(out);
        try (Messages m = new Messages(owner, 0)) {
            for (byte[] msg = m.next(); msg != null; msg = m.next()) {
                keys.add(key(msg));
                t.separate();
                t.write(msg);
            }
        }
        int added = 0;
        try (Messages m = new Messages(other, otherFrom)) {
            for (byte[] msg = m.next(); msg != null; msg = m.next()) {
                // matched against the owner's messages only: two of other's own with one Message-ID (a
                // list's copy and the direct Cc) are two messages
                if (!keys.contains(key(msg))) {
                    t.separate();
                    t.write(msg);
                    added++;
                }
            }
        }
        t.flush();
        return added;
    }

    /** Whether the file starts like an mbox (or is empty). */
    static boolean looksLikeMbox(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] head = in.readNBytes(5);
            return head.length == 0 || new String(head, StandardCharsets.ISO_8859_1).equals("From ");
        }
    }

    static String key(byte[] msg) {
        String text = new String(msg, 0, Math.min(msg.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.equals("\r")) {
                break;
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("message-id:")) {
                String id = line.substring("message-id:".length()).strip();
                if (!id.isEmpty()) {
                    return "id:" + id;
                }
            }
        }
        int end = msg.length;
        while (end > 0 && msg[end - 1] == '\n') {
            end--;
        }
        java.security.MessageDigest d = Hashing.sha256();
        d.update(msg, 0, end);
        return "sha:" + Hashing.hex(d);
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("spool shorter than its common part");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    /** An output that remembers its last two bytes, to put an empty line between messages. */
    private static final class Tracking extends OutputStream {
        private final OutputStream out;
        private long written;
        private int last1 = -1;
        private int last2 = -1;

        Tracking(OutputStream out) {
            this.out = new BufferedOutputStream(out, 1 << 16);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            last2 = last1;
            last1 = b & 0xff;
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (len >= 2) {
                last2 = b[off + len - 2] & 0xff;
                last1 = b[off + len - 1] & 0xff;
            } else if (len == 1) {
                last2 = last1;
                last1 = b[off] & 0xff;
            }
            written += len;
        }

        /** Ends what was written with an empty line, unless nothing was written. */
        void separate() throws IOException {
            if (written == 0) {
                return;
            }
            if (last1 != '\n') {
                write('\n');
            }
            if (last2 != '\n') {
                write('\n');
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** The messages of a spool, one at a time. */
    private static final class Messages implements AutoCloseable {
        private final InputStream in;
        private byte[] pendingLine;
        private boolean eof;

        Messages(Path p, long from) throws IOException {
            in = new BufferedInputStream(Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS), 1 << 16);
            long skipped = in.skip(from);
            if (skipped < from) {
                in.readNBytes((int) Math.min(Integer.MAX_VALUE, from - skipped));
            }
        }

        private byte[] line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(128);
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                if (c == '\n') {
                    break;
                }
            }
            return b.size() == 0 ? null : b.toByteArray();
        }

        private static boolean isFrom(byte[] line) {
            return line.length >= 5 && line[0] == 'F' && line[1] == 'r' && line[2] == 'o' && line[3] == 'm' && line[4] == ' ';
        }

        private static boolean isEmpty(byte[] line) {
            return line.length == 1 || (line.length == 2 && line[0] == '\r');
        }

        byte[] next() throws IOException {
            if (eof) {
                return null;
            }
            ByteArrayOutputStream msg = new ByteArrayOutputStream();
            byte[] line = pendingLine != null ? pendingLine : line();
            pendingLine = null;
            if (line == null) {
                eof = true;
                return null;
            }
            msg.write(line);
            boolean prevEmpty = false;
            while (true) {
                byte[] l = line();
                if (l == null) {
                    eof = true;
                    break;
                }
                if (prevEmpty && isFrom(l)) {
                    pendingLine = l;
                    break;
                }
                msg.write(l);
                prevEmpty = isEmpty(l);
            }
            return msg.toByteArray();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
