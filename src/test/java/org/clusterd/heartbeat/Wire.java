package org.clusterd.heartbeat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.NodeState;

/**
 * Test fixtures: heartbeats, and datagrams written field by field from the documented format,
 * independently of {@link HeartbeatCodec}, so that tests can craft any byte sequence with a valid MAC.
 */
final class Wire {

    static final byte[] KEY = "correct horse battery staple 2024".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_KEY = "some other cluster's key, not ours".getBytes(StandardCharsets.US_ASCII);
    static final String CLUSTER = "prod";
    static final String ALPHA = "alpha";
    static final String BETA = "beta";
    static final long NOW = 1_717_171_717_000L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Wire() {}

    /** Magic and version 1. */
    static Wire header() {
        return raw().bytes('C', 'L', 'H', 'B').u8(1);
    }

    static Wire raw() {
        return new Wire();
    }

    /** The body of {@link #heartbeat} from beta, written by hand; groups: web gen 7 RUNNING. */
    static Wire betaBody(long incarnation, long sequence) {
        return header().str(CLUSTER).str(BETA).i64(incarnation).i64(sequence).i64(NOW)
                .u8(NodeState.ACTIVE.ordinal()).i64(0).i64(2).i64(4).u16(1).u16(2).u16(2)
                .u8(1).str("web").i64(7).u8(ClaimStatus.RUNNING.ordinal());
    }

    Wire bytes(int... values) {
        for (int v : values) {
            out.write(v);
        }
        return this;
    }

    Wire bytes(byte[] values) {
        out.writeBytes(values);
        return this;
    }

    Wire u8(int v) {
        return bytes(v & 0xFF);
    }

    Wire u16(int v) {
        return bytes((v >>> 8) & 0xFF, v & 0xFF);
    }

    Wire i64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift) & 0xFF);
        }
        return this;
    }

    Wire str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u8(b.length).bytes(b);
    }

    byte[] unsealed() {
        return out.toByteArray();
    }

    /** The bytes so far followed by their HMAC-SHA256 under {@code key}. */
    byte[] seal(byte[] key) {
        return seal(key, unsealed());
    }

    static byte[] seal(byte[] key, byte[] unsealed) {
        byte[] mac = hmac(key, unsealed, 0, unsealed.length);
        byte[] sealed = Arrays.copyOf(unsealed, unsealed.length + mac.length);
        System.arraycopy(mac, 0, sealed, unsealed.length, mac.length);
        return sealed;
    }

    static byte[] hmac(byte[] key, byte[] data, int offset, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, offset, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether the last 32 bytes are the HMAC of the rest under {@code key}. */
    static boolean macValid(byte[] key, byte[] datagram) {
        if (datagram.length < 32) {
            return false;
        }
        byte[] expected = hmac(key, datagram, 0, datagram.length - 32);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(datagram, datagram.length - 32, datagram.length));
    }

    /** A heartbeat of {@link #CLUSTER} from {@code node}, sent at {@link #NOW}. */
    static Heartbeat heartbeat(String node, long incarnation, long sequence) {
        return heartbeat(node, incarnation, sequence, NOW);
    }

    static Heartbeat heartbeat(String node, long incarnation, long sequence, long sentAt) {
        return new Heartbeat(CLUSTER, node, incarnation, sequence, sentAt, NodeState.ACTIVE, 0L, 2, 4, 1, 2, 2,
                List.of(new GroupClaim("web", 7, ClaimStatus.RUNNING)));
    }
}
