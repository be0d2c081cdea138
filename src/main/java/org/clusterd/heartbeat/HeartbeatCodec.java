package org.clusterd.heartbeat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.NodeState;

/**
 * The heartbeat datagram: pure functions from a {@link Heartbeat} to bytes and back. No sockets,
 * no clock, no state besides the key (and a cached {@link Mac} per thread); safe to share between threads.
 *
 * <h2>Wire format, version 1</h2>
 * All integers big-endian, unsigned unless noted. A {@code str} is a {@code u8} byte count followed
 * by that many bytes of UTF-8: 1 to {@value #MAX_NAME_BYTES} bytes, well-formed, no control
 * characters.
 * <pre>
 *  offset  size  field
 *  0       4     magic "CLHB" (0x43 0x4C 0x48 0x42)
 *  4       1     version = 1
 *  5       str   cluster
 *          str   node
 *          8     incarnation        (signed, must be &gt;= 0)
 *          8     sequence           (signed, must be &gt;= 0)
 *          8     sentAtMillis       (signed, must be &gt;= 0)
 *          1     state              (NodeState ordinal)
 *          8     peerIncarnation    (signed, must be &gt;= 0)
 *          8     standbyEpoch       (signed, must be &gt;= 0)
 *          8     peerStandbyEpoch   (signed, must be &gt;= 0)
 *          2     pingReached
 *          2     pingTotal
 *          2     linksUp
 *          1     group count        (0 to {@value #MAX_GROUPS})
 *          per group:
 *            str   group name       (no name twice)
 *            8     generation       (signed, must be &gt;= 0)
 *            1     status           (ClaimStatus ordinal)
 *  end-32  32    HMAC-SHA256 under the cluster key over every byte before it
 * </pre>
 * A datagram is {@value #MIN_DATAGRAM} to {@value #MAX_DATAGRAM} bytes. Only the length, magic and
 * version are looked at before the MAC is verified; the body of a datagram whose MAC fails is never
 * parsed. Every defect of the input yields a {@link DecodeResult.Rejected}, never an exception.
 *
 * <p>Changing anything above means a new version byte: a node only accepts its own version, so both
 * nodes must be upgraded together (or a later version must learn to speak both).
 */
public final class HeartbeatCodec {

    public static final byte VERSION = 1;
    /** Largest datagram, sent or accepted: fits an Ethernet MTU with IPv6 and tunnel headers to spare. */
    public static final int MAX_DATAGRAM = 1400;
    public static final int MAC_LENGTH = 32;
    public static final int MAX_NAME_BYTES = 64;
    public static final int MAX_GROUPS = 100;
    /** Largest value of the 16-bit counters (pingReached, pingTotal, linksUp). */
    public static final int MAX_COUNTER = 0xFFFF;

    private static final byte[] MAGIC = {'C', 'L', 'H', 'B'};
    private static final int HEADER = MAGIC.length + 1;
    /** Body bytes besides the names and groups: two name lengths, 5 longs, state, 3 counters, count. */
    private static final int FIXED_BODY = 2 + 6 * 8 + 1 + 3 * 2 + 1;
    /** Group bytes besides the name: name length, generation, status. */
    private static final int FIXED_GROUP = 1 + 8 + 1;
    /** The smallest valid datagram: one-byte cluster and node names, no groups. */
    public static final int MIN_DATAGRAM = HEADER + FIXED_BODY + 1 + 1 + MAC_LENGTH;

    private static final String MAC_ALGORITHM = "HmacSHA256";
    private static final NodeState[] STATES = NodeState.values();
    private static final ClaimStatus[] STATUSES = ClaimStatus.values();

    private final SecretKeySpec key;
    /** A Mac is not thread-safe and costly to look up: one per thread, reset before each use. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /** @param clusterKey the shared secret of the cluster (copied); must not be empty */
    public HeartbeatCodec(byte[] clusterKey) {
        Objects.requireNonNull(clusterKey, "clusterKey");
        if (clusterKey.length == 0) {
            throw new IllegalArgumentException("cluster key is empty");
        }
        this.key = new SecretKeySpec(clusterKey.clone(), MAC_ALGORITHM);
        newMac(); // fail now, not at the first datagram
    }

    /**
     * The exact datagram length for a heartbeat with these names (every other field has a fixed
     * size), so that configuration validation can tell whether a node's heartbeat fits in
     * {@link #MAX_DATAGRAM}.
     *
     * @throws IllegalArgumentException if a name is not encodable (empty, too long, control characters)
     */
    public static int encodedLength(String cluster, String node, Collection<String> groupNames) {
        int length = HEADER + FIXED_BODY + MAC_LENGTH
                + nameBytes("cluster", cluster).length + nameBytes("node", node).length;
        for (String group : groupNames) {
            length += FIXED_GROUP + nameBytes("group", group).length;
        }
        return length;
    }

    /**
     * The datagram for {@code hb}. Deterministic: the same heartbeat always gives the same bytes.
     *
     * @throws IllegalArgumentException if a field is out of the range the format carries (see the
     *                                  class comment) or the datagram would exceed {@link #MAX_DATAGRAM}
     */
    public byte[] encode(Heartbeat hb) {
        Objects.requireNonNull(hb, "heartbeat");
        byte[] cluster = nameBytes("cluster", hb.cluster());
        byte[] node = nameBytes("node", hb.node());
        List<GroupClaim> groups = hb.groups();
        if (groups.size() > MAX_GROUPS) {
            throw new IllegalArgumentException(groups.size() + " groups, at most " + MAX_GROUPS + " fit a heartbeat");
        }
        List<byte[]> groupNames = new ArrayList<>(groups.size());
        Set<String> seen = new HashSet<>();
        int length = HEADER + FIXED_BODY + cluster.length + node.length + MAC_LENGTH;
        for (GroupClaim g : groups) {
            byte[] name = nameBytes("group", g.group());
            if (!seen.add(g.group())) {
                throw new IllegalArgumentException("group " + g.group() + " appears twice");
            }
            nonNegative("generation of group " + g.group(), g.generation());
            Objects.requireNonNull(g.status(), "status of group " + g.group());
            groupNames.add(name);
            length += FIXED_GROUP + name.length;
        }
        if (length > MAX_DATAGRAM) {
            throw new IllegalArgumentException("heartbeat of " + groups.size() + " groups needs " + length
                    + " bytes, more than the " + MAX_DATAGRAM + " a datagram may have");
        }
        Objects.requireNonNull(hb.state(), "state");

        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(MAGIC).put(VERSION);
        putName(out, cluster);
        putName(out, node);
        out.putLong(nonNegative("incarnation", hb.incarnation()));
        out.putLong(nonNegative("sequence", hb.sequence()));
        out.putLong(nonNegative("sentAtMillis", hb.sentAtMillis()));
        out.put((byte) hb.state().ordinal());
        out.putLong(nonNegative("peerIncarnation", hb.peerIncarnation()));
        out.putLong(nonNegative("standbyEpoch", hb.standbyEpoch()));
        out.putLong(nonNegative("peerStandbyEpoch", hb.peerStandbyEpoch()));
        out.putShort(counter("pingReached", hb.pingReached()));
        out.putShort(counter("pingTotal", hb.pingTotal()));
        out.putShort(counter("linksUp", hb.linksUp()));
        out.put((byte) groups.size());
        for (int i = 0; i < groups.size(); i++) {
            GroupClaim g = groups.get(i);
            putName(out, groupNames.get(i));
            out.putLong(g.generation());
            out.put((byte) g.status().ordinal());
        }
        Mac mac = mac();
        mac.update(out.array(), 0, out.position());
        out.put(mac.doFinal());
        assert !out.hasRemaining();
        return out.array();
    }

    /**
     * Reads {@code buf[offset .. offset+length)}: a heartbeat if the datagram is authentic and
     * well-formed, otherwise the reason it is not. Never throws for any content of the bytes.
     *
     * @throws IndexOutOfBoundsException if offset and length do not lie within {@code buf} (a caller bug)
     */
    public DecodeResult decode(byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (length < MIN_DATAGRAM) {
            return reject(RejectReason.TOO_SHORT, length + " bytes, a heartbeat has at least " + MIN_DATAGRAM);
        }
        if (length > MAX_DATAGRAM) {
            return reject(RejectReason.TOO_LONG, "a heartbeat has at most " + MAX_DATAGRAM + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (buf[offset + i] != MAGIC[i]) {
                return reject(RejectReason.BAD_MAGIC, "does not start with CLHB");
            }
        }
        int version = buf[offset + MAGIC.length] & 0xFF;
        if (version != VERSION) {
            return reject(RejectReason.BAD_VERSION, "version " + version + ", this node speaks " + VERSION);
        }
        int macStart = offset + length - MAC_LENGTH;
        Mac mac = mac();
        mac.update(buf, offset, length - MAC_LENGTH);
        byte[] expected = mac.doFinal();
        byte[] actual = new byte[MAC_LENGTH];
        System.arraycopy(buf, macStart, actual, 0, MAC_LENGTH);
        if (!MessageDigest.isEqual(expected, actual)) {
            return reject(RejectReason.BAD_MAC, "HMAC does not match: forged, corrupted or another cluster key");
        }
        try {
            return new DecodeResult.Decoded(parseBody(new Reader(buf, offset + HEADER, macStart)));
        } catch (Malformed e) {
            return reject(RejectReason.MALFORMED, e.getMessage());
        }
    }

    private static Heartbeat parseBody(Reader in) throws Malformed {
        String cluster = in.name("cluster");
        String node = in.name("node");
        long incarnation = in.nonNegativeLong("incarnation");
        long sequence = in.nonNegativeLong("sequence");
        long sentAt = in.nonNegativeLong("sentAtMillis");
        int state = in.u8("state");
        if (state >= STATES.length) {
            throw new Malformed("state " + state + " out of range");
        }
        long peerIncarnation = in.nonNegativeLong("peerIncarnation");
        long standbyEpoch = in.nonNegativeLong("standbyEpoch");
        long peerStandbyEpoch = in.nonNegativeLong("peerStandbyEpoch");
        int pingReached = in.u16("pingReached");
        int pingTotal = in.u16("pingTotal");
        int linksUp = in.u16("linksUp");
        int count = in.u8("group count");
        if (count > MAX_GROUPS) {
            throw new Malformed(count + " groups, at most " + MAX_GROUPS);
        }
        List<GroupClaim> groups = new ArrayList<>(count);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = in.name("group name");
            if (!seen.add(name)) {
                throw new Malformed("group " + name + " appears twice");
            }
            long generation = in.nonNegativeLong("generation");
            int status = in.u8("status");
            if (status >= STATUSES.length) {
                throw new Malformed("status " + status + " of group " + name + " out of range");
            }
            groups.add(new GroupClaim(name, generation, STATUSES[status]));
        }
        if (in.remaining() != 0) {
            throw new Malformed(in.remaining() + " bytes after the last group");
        }
        return new Heartbeat(cluster, node, incarnation, sequence, sentAt, STATES[state], peerIncarnation, standbyEpoch,
                peerStandbyEpoch, pingReached, pingTotal, linksUp, groups);
    }

    private static DecodeResult.Rejected reject(RejectReason reason, String detail) {
        return new DecodeResult.Rejected(reason, detail);
    }

    private Mac mac() {
        Mac mac = macs.get();
        mac.reset();
        return mac;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(MAC_ALGORITHM + " unavailable", e); // every JDK has it
        }
    }

    private static byte[] nameBytes(String field, String name) {
        Objects.requireNonNull(name, field);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(field + " name is empty");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " name contains control characters");
        }
        ByteBuffer bytes;
        try {
            bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " name is not valid Unicode: " + e);
        }
        if (bytes.remaining() > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(field + " name " + name + " has " + bytes.remaining()
                    + " bytes of UTF-8, at most " + MAX_NAME_BYTES);
        }
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }

    private static void putName(ByteBuffer out, byte[] name) {
        out.put((byte) name.length).put(name);
    }

    private static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " is negative: " + value);
        }
        return value;
    }

    private static short counter(String field, int value) {
        if (value < 0 || value > MAX_COUNTER) {
            throw new IllegalArgumentException(field + " out of range 0.." + MAX_COUNTER + ": " + value);
        }
        return (short) value;
    }

    /** The body is malformed; only ever thrown and caught inside {@link #decode}. */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Bounds-checked reading of an authenticated body {@code buf[pos .. end)}. */
    private static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        private void need(int n, String field) throws Malformed {
            if (remaining() < n) {
                throw new Malformed("truncated at " + field);
            }
        }

        int u8(String field) throws Malformed {
            need(1, field);
            return buf[pos++] & 0xFF;
        }

        int u16(String field) throws Malformed {
            need(2, field);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long nonNegativeLong(String field) throws Malformed {
            need(8, field);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos + i] & 0xFF);
            }
            pos += 8;
            if (v < 0) {
                throw new Malformed(field + " is negative");
            }
            return v;
        }

        String name(String field) throws Malformed {
            int n = u8(field + " length");
            if (n == 0 || n > MAX_NAME_BYTES) {
                throw new Malformed(field + " of " + n + " bytes, must be 1.." + MAX_NAME_BYTES);
            }
            need(n, field);
            String s;
            try {
                s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(buf, pos, n))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new Malformed(field + " is not valid UTF-8");
            }
            if (s.chars().anyMatch(Character::isISOControl)) {
                throw new Malformed(field + " contains control characters");
            }
            pos += n;
            return s;
        }
    }
}
