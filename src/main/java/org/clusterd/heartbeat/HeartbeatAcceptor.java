package org.clusterd.heartbeat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.clusterd.cluster.Heartbeat;

/**
 * Decides whether a datagram received on a link is a heartbeat this node should act on: the whole
 * inbound check, without sockets. Pure apart from its memory of what it has already admitted; time is
 * a parameter. Thread-safe (the MAC is checked outside the lock).
 *
 * <p>In order: the datagram decodes ({@link HeartbeatCodec}: length, magic, version, MAC, body); it is
 * for our cluster ({@link RejectReason#WRONG_CLUSTER}); it is from the configured peer, not from us
 * nor anyone else ({@link RejectReason#UNKNOWN_NODE}); its incarnation is not older than the newest
 * admitted on any link ({@link RejectReason#STALE_INCARNATION}); and the {@link ReplayGuard} of that
 * link admits it.
 *
 * <p>There is one replay window per link, because the sender sends the same datagram on every link
 * and each copy is evidence that its link works. The consequence: a datagram captured on one link can
 * be replayed once on another link (within the clock skew and the current incarnation) and make that
 * link look alive for a moment. Binding datagrams to links would need the link in the MAC.
 */
public final class HeartbeatAcceptor {

    private final HeartbeatCodec codec;
    private final String cluster;
    private final String localNode;
    private final String peerNode;
    private final Duration maxClockSkew;

    private final Map<String, ReplayGuard> guards = new HashMap<>(); // guarded by this
    private long newestIncarnation = -1; // guarded by this

    public HeartbeatAcceptor(HeartbeatCodec codec, String cluster, String localNode, String peerNode,
                             Duration maxClockSkew) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.localNode = Objects.requireNonNull(localNode, "localNode");
        this.peerNode = Objects.requireNonNull(peerNode, "peerNode");
        if (localNode.equals(peerNode)) {
            throw new IllegalArgumentException("local and peer node are both named " + localNode);
        }
        this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        new ReplayGuard(maxClockSkew); // validates the skew now
    }

    /**
     * Checks {@code buf[offset .. offset+length)} received on {@code link} at {@code nowMillis} (our
     * wall clock), and remembers it if admitted.
     *
     * @return {@link DecodeResult.Decoded} only for an authentic, new heartbeat from our peer
     */
    public DecodeResult accept(String link, byte[] buf, int offset, int length, long nowMillis) {
        Objects.requireNonNull(link, "link");
        DecodeResult result = codec.decode(buf, offset, length);
        if (!(result instanceof DecodeResult.Decoded decoded)) {
            return result;
        }
        Heartbeat hb = decoded.heartbeat();
        if (!hb.cluster().equals(cluster)) {
            return new DecodeResult.Rejected(RejectReason.WRONG_CLUSTER,
                    "cluster " + hb.cluster() + ", we are " + cluster + " (same key used by two clusters?)");
        }
        if (hb.node().equals(localNode)) {
            return new DecodeResult.Rejected(RejectReason.UNKNOWN_NODE,
                    "carries our own name " + localNode + " (reflected datagram or misconfigured peer)");
        }
        if (!hb.node().equals(peerNode)) {
            return new DecodeResult.Rejected(RejectReason.UNKNOWN_NODE,
                    "from node " + hb.node() + ", our peer is " + peerNode);
        }
        synchronized (this) {
            if (hb.incarnation() < newestIncarnation) {
                return new DecodeResult.Rejected(RejectReason.STALE_INCARNATION,
                        "incarnation " + hb.incarnation() + " older than " + newestIncarnation + " seen on a link");
            }
            Optional<DecodeResult.Rejected> refused =
                    guards.computeIfAbsent(link, l -> new ReplayGuard(maxClockSkew)).check(hb, nowMillis);
            if (refused.isPresent()) {
                return refused.get();
            }
            newestIncarnation = Math.max(newestIncarnation, hb.incarnation());
            return decoded;
        }
    }

    /** Sequence numbers of the peer missing on {@code link} (see {@link ReplayGuard#lost()}). */
    public synchronized long lost(String link) {
        ReplayGuard guard = guards.get(link);
        return guard == null ? 0 : guard.lost();
    }

    @Override
    public synchronized String toString() {
        return "HeartbeatAcceptor[" + cluster + "/" + localNode + " from " + peerNode + " " + guards + "]";
    }
}
