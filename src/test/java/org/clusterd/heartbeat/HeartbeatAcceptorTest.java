package org.clusterd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusterd.heartbeat.Wire.ALPHA;
import static org.clusterd.heartbeat.Wire.BETA;
import static org.clusterd.heartbeat.Wire.CLUSTER;
import static org.clusterd.heartbeat.Wire.KEY;
import static org.clusterd.heartbeat.Wire.NOW;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.NodeState;
import org.junit.jupiter.api.Test;

/** Alpha's view: it accepts heartbeats of cluster "prod" from beta only. */
class HeartbeatAcceptorTest {

    private final HeartbeatCodec codec = new HeartbeatCodec(KEY);
    private final HeartbeatAcceptor acceptor =
            new HeartbeatAcceptor(codec, CLUSTER, ALPHA, BETA, ReplayGuard.DEFAULT_MAX_CLOCK_SKEW);

    private DecodeResult accept(String link, byte[] datagram) {
        return acceptor.accept(link, datagram, 0, datagram.length, NOW);
    }

    private static RejectReason reason(DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
        return ((DecodeResult.Rejected) result).reason();
    }

    private byte[] fromBeta(long incarnation, long sequence) {
        return codec.encode(Wire.heartbeat(BETA, incarnation, sequence));
    }

    @Test
    void producesEveryRejectReasonFromCraftedBytes() {
        byte[] valid = fromBeta(1, 1);
        byte[] badMagic = valid.clone();
        badMagic[1] = 'X';
        byte[] badVersion = Wire.seal(KEY, Arrays.copyOf(valid, valid.length - 32));
        badVersion[4] = 9;
        byte[] badMac = valid.clone();
        badMac[40] ^= 1;

        Map<RejectReason, DecodeResult> seen = new EnumMap<>(RejectReason.class);
        List<byte[]> inputs = List.of(
                "hello".getBytes(),                                                   // TOO_SHORT
                new byte[HeartbeatCodec.MAX_DATAGRAM + 1],                            // TOO_LONG
                badMagic,                                                             // BAD_MAGIC
                badVersion,                                                           // BAD_VERSION
                badMac,                                                               // BAD_MAC
                Wire.betaBody(1, 1).u8(0).seal(KEY),                                  // MALFORMED: trailing byte
                codec.encode(new Heartbeat("staging", BETA, 1, 1, NOW, NodeState.ACTIVE, 0L, 0, 0, 0, 0, 0,
                        List.of())),                                                  // WRONG_CLUSTER
                codec.encode(Wire.heartbeat("gamma", 1, 1)),                          // UNKNOWN_NODE
                valid,                                                                // accepted
                valid,                                                                // REPLAY
                fromBeta(2, 1),                                                       // accepted
                fromBeta(1, 2),                                                       // STALE_INCARNATION
                codec.encode(Wire.heartbeat(BETA, 2, 2, NOW - Duration.ofHours(1).toMillis()))); // CLOCK_SKEW
        int accepted = 0;
        for (byte[] input : inputs) {
            DecodeResult result = accept("net1", input);
            if (result instanceof DecodeResult.Rejected r) {
                assertThat(seen).as("each input hits a different reason").doesNotContainKey(r.reason());
                seen.put(r.reason(), r);
            } else {
                accepted++;
            }
        }
        assertThat(seen.keySet()).isEqualTo(EnumSet.allOf(RejectReason.class));
        assertThat(accepted).isEqualTo(2);
    }

    @Test
    void acceptsAHeartbeatFromThePeer() {
        assertThat(accept("net1", fromBeta(1, 1))).isEqualTo(new DecodeResult.Decoded(Wire.heartbeat(BETA, 1, 1)));
    }

    @Test
    void rejectsAHeartbeatCarryingOurOwnName() {
        DecodeResult reflected = accept("net1", codec.encode(Wire.heartbeat(ALPHA, 1, 1)));
        assertThat(reason(reflected)).isEqualTo(RejectReason.UNKNOWN_NODE);
        assertThat(((DecodeResult.Rejected) reflected).detail()).contains("own name");
    }

    @Test
    void acceptsEachHeartbeatOncePerLink() {
        byte[] datagram = fromBeta(1, 1);
        assertThat(accept("net1", datagram)).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(accept("net2", datagram)).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(reason(accept("net1", datagram))).isEqualTo(RejectReason.REPLAY);
        assertThat(reason(accept("net2", datagram))).isEqualTo(RejectReason.REPLAY);
    }

    @Test
    void anIncarnationSeenOnOneLinkMakesOlderOnesStaleOnEveryLink() {
        assertThat(accept("net1", fromBeta(1, 10))).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(accept("net2", fromBeta(1, 10))).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(accept("net1", fromBeta(2, 0))).isInstanceOf(DecodeResult.Decoded.class); // beta restarted
        // net2 has not heard incarnation 2 yet, but a captured incarnation-1 datagram must not pass there
        assertThat(reason(accept("net2", fromBeta(1, 11)))).isEqualTo(RejectReason.STALE_INCARNATION);
        assertThat(accept("net2", fromBeta(2, 0))).isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void countsLostSequenceNumbersPerLink() {
        for (long s : new long[] {1, 2, 5, 6}) {
            accept("net1", fromBeta(1, s));
        }
        accept("net2", fromBeta(1, 1));
        accept("net2", fromBeta(1, 2));
        assertThat(acceptor.lost("net1")).isEqualTo(2);
        assertThat(acceptor.lost("net2")).isZero();
        assertThat(acceptor.lost("never-heard")).isZero();
    }

    @Test
    void refusesToBeItsOwnPeer() {
        assertThatThrownBy(() -> new HeartbeatAcceptor(codec, CLUSTER, ALPHA, ALPHA, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
