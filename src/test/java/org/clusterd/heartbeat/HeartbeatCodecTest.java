package org.clusterd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusterd.heartbeat.Wire.ALPHA;
import static org.clusterd.heartbeat.Wire.BETA;
import static org.clusterd.heartbeat.Wire.CLUSTER;
import static org.clusterd.heartbeat.Wire.KEY;
import static org.clusterd.heartbeat.Wire.NOW;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.NodeState;
import org.junit.jupiter.api.Test;

class HeartbeatCodecTest {

    private final HeartbeatCodec codec = new HeartbeatCodec(KEY);

    private DecodeResult decode(byte[] datagram) {
        return codec.decode(datagram, 0, datagram.length);
    }

    private static Heartbeat withGroups(String cluster, String node, List<GroupClaim> groups) {
        return new Heartbeat(cluster, node, 3, 9, NOW, NodeState.STANDBY, 0L, 5, 5, 0, 3, 1, groups);
    }

    private void assertRoundTrips(Heartbeat hb) {
        byte[] datagram = codec.encode(hb);
        assertThat(datagram.length).isBetween(HeartbeatCodec.MIN_DATAGRAM, HeartbeatCodec.MAX_DATAGRAM);
        assertThat(datagram.length).isEqualTo(HeartbeatCodec.encodedLength(hb.cluster(), hb.node(),
                hb.groups().stream().map(GroupClaim::group).toList()));
        assertThat(decode(datagram)).isEqualTo(new DecodeResult.Decoded(hb));
    }

    private void assertRejected(byte[] datagram, RejectReason reason) {
        assertThat(decode(datagram)).isInstanceOfSatisfying(DecodeResult.Rejected.class,
                r -> assertThat(r.reason()).as(r.detail()).isEqualTo(reason));
    }

    @Test
    void writesExactlyTheDocumentedWireFormat() {
        byte[] byHand = Wire.betaBody(11, 42).seal(KEY);
        assertThat(codec.encode(Wire.heartbeat(BETA, 11, 42))).isEqualTo(byHand);
        assertThat(Arrays.copyOf(byHand, 5)).isEqualTo(new byte[] {0x43, 0x4C, 0x48, 0x42, 1});
    }

    @Test
    void encodingIsDeterministic() {
        Heartbeat hb = Wire.heartbeat(ALPHA, 1, 1);
        assertThat(codec.encode(hb)).isEqualTo(codec.encode(hb)).isEqualTo(new HeartbeatCodec(KEY).encode(hb));
    }

    @Test
    void roundTripsAHeartbeatWithoutGroups() {
        assertRoundTrips(withGroups("c", "n", List.of()));
        assertThat(codec.encode(withGroups("c", "n", List.of()))).hasSize(HeartbeatCodec.MIN_DATAGRAM);
    }

    @Test
    void roundTripsTheMostGroupsAllowed() {
        List<GroupClaim> groups = new ArrayList<>();
        for (int i = 0; i < HeartbeatCodec.MAX_GROUPS; i++) {
            groups.add(new GroupClaim(String.format("g%02d", i), i, ClaimStatus.values()[i % 6]));
        }
        assertRoundTrips(withGroups("c", "n", groups));
    }

    @Test
    void roundTripsUnicodeNamesUpToTheByteLimit() {
        String zurich = "Zürich-ノード-🚀"; // 2-, 3- and 4-byte UTF-8 sequences
        String longest = "ü".repeat(HeartbeatCodec.MAX_NAME_BYTES / 2); // 64 bytes, 32 chars
        assertRoundTrips(withGroups(zurich, longest, List.of(new GroupClaim("Ελληνικά", 1, ClaimStatus.RELEASED),
                new GroupClaim(longest, 2, ClaimStatus.REQUESTED))));
    }

    @Test
    void roundTripsTheExtremesOfEveryField() {
        for (NodeState state : NodeState.values()) {
            assertRoundTrips(new Heartbeat(CLUSTER, ALPHA, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, state, 0L,
                    Long.MAX_VALUE, Long.MAX_VALUE, 0xFFFF, 0xFFFF, 0xFFFF,
                    List.of(new GroupClaim("g", Long.MAX_VALUE, ClaimStatus.STOPPING))));
            assertRoundTrips(new Heartbeat(CLUSTER, ALPHA, 0, 0, 0, state, 0L, 0, 0, 0, 0, 0,
                    List.of(new GroupClaim("g", 0, ClaimStatus.NONE))));
        }
    }

    @Test
    void roundTripsManyRandomHeartbeats() {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            Heartbeat hb = RandomHeartbeats.next(random);
            assertRoundTrips(hb);
        }
    }

    @Test
    void decodesADatagramInTheMiddleOfABuffer() {
        byte[] datagram = codec.encode(Wire.heartbeat(BETA, 1, 2));
        byte[] buffer = new byte[datagram.length + 20];
        Arrays.fill(buffer, (byte) 0x5A);
        System.arraycopy(datagram, 0, buffer, 7, datagram.length);
        assertThat(codec.decode(buffer, 7, datagram.length))
                .isEqualTo(new DecodeResult.Decoded(Wire.heartbeat(BETA, 1, 2)));
        assertThatThrownBy(() -> codec.decode(buffer, 30, datagram.length)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void refusesToEncodeWhatTheFormatCannotCarry() {
        Heartbeat ok = Wire.heartbeat(ALPHA, 1, 1);
        List<UnaryOperator<Heartbeat>> bad = List.of(
                hb -> withGroups("", "n", List.of()),
                hb -> withGroups("c", "x".repeat(65), List.of()),
                hb -> withGroups("c", "line\nbreak", List.of()),
                hb -> withGroups("c", "\uD800", List.of()), // unpaired surrogate
                hb -> withGroups("c", "n", List.of(new GroupClaim("g", 1, ClaimStatus.NONE),
                        new GroupClaim("g", 2, ClaimStatus.NONE))),
                hb -> withGroups("c", "n", List.of(new GroupClaim("g", -1, ClaimStatus.NONE))),
                hb -> new Heartbeat(CLUSTER, ALPHA, -1, 1, NOW, NodeState.ACTIVE, 0L, 0, 0, 0, 0, 0, List.of()),
                hb -> new Heartbeat(CLUSTER, ALPHA, 1, -1, NOW, NodeState.ACTIVE, 0L, 0, 0, 0, 0, 0, List.of()),
                hb -> new Heartbeat(CLUSTER, ALPHA, 1, 1, -1, NodeState.ACTIVE, 0L, 0, 0, 0, 0, 0, List.of()),
                hb -> new Heartbeat(CLUSTER, ALPHA, 1, 1, NOW, NodeState.ACTIVE, 0L, -2, 0, 0, 0, 0, List.of()),
                hb -> new Heartbeat(CLUSTER, ALPHA, 1, 1, NOW, NodeState.ACTIVE, 0L, 0, 0, 0x10000, 0, 0, List.of()),
                hb -> new Heartbeat(CLUSTER, ALPHA, 1, 1, NOW, NodeState.ACTIVE, 0L, 0, 0, 0, -1, 0, List.of()));
        for (UnaryOperator<Heartbeat> make : bad) {
            Heartbeat hb = make.apply(ok);
            assertThatThrownBy(() -> codec.encode(hb)).as(hb.toString()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesToEncodeAHeartbeatLargerThanADatagram() {
        List<GroupClaim> tooMany = new ArrayList<>();
        for (int i = 0; i <= HeartbeatCodec.MAX_GROUPS; i++) {
            tooMany.add(new GroupClaim("g" + i, 1, ClaimStatus.NONE));
        }
        assertThatThrownBy(() -> codec.encode(withGroups("c", "n", tooMany)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groups");

        List<GroupClaim> longNames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            longNames.add(new GroupClaim(String.format("%064d", i), 1, ClaimStatus.NONE));
        }
        assertThat(HeartbeatCodec.encodedLength("c", "n", longNames.stream().map(GroupClaim::group).toList()))
                .isGreaterThan(HeartbeatCodec.MAX_DATAGRAM);
        assertThatThrownBy(() -> codec.encode(withGroups("c", "n", longNames)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1400");
    }

    @Test
    void rejectsDatagramsOfTheWrongSize() {
        byte[] valid = codec.encode(Wire.heartbeat(BETA, 1, 1));
        assertRejected(new byte[0], RejectReason.TOO_SHORT);
        assertRejected(Arrays.copyOf(valid, HeartbeatCodec.MIN_DATAGRAM - 1), RejectReason.TOO_SHORT);
        byte[] huge = Arrays.copyOf(valid, HeartbeatCodec.MAX_DATAGRAM + 1);
        assertRejected(huge, RejectReason.TOO_LONG);
        assertRejected(Wire.seal(KEY, Arrays.copyOf(valid, HeartbeatCodec.MAX_DATAGRAM - 31)), RejectReason.TOO_LONG);
    }

    @Test
    void rejectsForeignAndFutureDatagramsByTheirHeader() {
        byte[] valid = codec.encode(Wire.heartbeat(BETA, 1, 1));
        byte[] notOurs = valid.clone();
        notOurs[0] = 'X';
        assertRejected(notOurs, RejectReason.BAD_MAGIC);
        for (int version : new int[] {0, 2, 255}) {
            byte[] other = valid.clone();
            other[4] = (byte) version;
            assertRejected(Wire.seal(KEY, Arrays.copyOf(other, other.length - 32)), RejectReason.BAD_VERSION);
        }
    }

    @Test
    void rejectsADatagramMadeWithAnotherKey() {
        assertRejected(new HeartbeatCodec(Wire.OTHER_KEY).encode(Wire.heartbeat(BETA, 1, 1)), RejectReason.BAD_MAC);
        assertRejected(Wire.betaBody(1, 1).seal(Wire.OTHER_KEY), RejectReason.BAD_MAC);
    }

    @Test
    void neverParsesTheBodyOfAnUnauthenticatedDatagram() {
        // the body is nonsense, but the MAC is checked first, so that is all we learn
        byte[] garbageBody = Wire.header().bytes(new byte[200]).bytes(new byte[32]).unsealed();
        assertRejected(garbageBody, RejectReason.BAD_MAC);
    }

    @Test
    void rejectsAuthenticButMalformedBodies() {
        List<byte[]> malformed = List.of(
                // trailing byte after the last group
                Wire.betaBody(1, 1).u8(0).seal(KEY),
                // one group announced, none present
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(1).seal(KEY),
                // group truncated in the middle of its generation
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(1).str("web").bytes(0, 0, 0).seal(KEY),
                // state ordinal out of range
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(NodeState.values().length)
                        .i64(0).i64(0).i64(0).u16(0).u16(0).u16(0).u8(0).seal(KEY),
                // claim status ordinal out of range
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(1).str("web").i64(1).u8(ClaimStatus.values().length).seal(KEY),
                // more groups than allowed
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(HeartbeatCodec.MAX_GROUPS + 1).str("web").i64(1).u8(0).seal(KEY),
                // empty node name
                Wire.header().str(CLUSTER).u8(0).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(0).u8(0).seal(KEY),
                // name longer than 64 bytes
                Wire.header().str(CLUSTER).str("n".repeat(65)).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(0).seal(KEY),
                // invalid UTF-8 in the node name
                Wire.header().str(CLUSTER).u8(2).bytes(0xC3, 0x28).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(0).seal(KEY),
                // control character in the cluster name
                Wire.header().str("pr\u001bod").str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(0).seal(KEY),
                // the same group twice
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(2).str("web").i64(1).u8(0).str("web").i64(2).u8(0).seal(KEY),
                // negative sequence
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(-5).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(0).seal(KEY),
                // negative generation
                Wire.header().str(CLUSTER).str(BETA).i64(1).i64(1).i64(NOW).u8(1).i64(0).i64(0).i64(0)
                        .u16(0).u16(0).u16(0).u8(1).str("web").i64(-1).u8(0).seal(KEY));
        for (byte[] datagram : malformed) {
            assertRejected(datagram, RejectReason.MALFORMED);
        }
    }

    @Test
    void rejectsEverySingleByteChangeOfAValidDatagram() {
        byte[] valid = codec.encode(Wire.heartbeat(BETA, 5, 6));
        for (int position = 0; position < valid.length; position++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] tampered = valid.clone();
                tampered[position] ^= (byte) mask;
                RejectReason expected = position < 4 ? RejectReason.BAD_MAGIC
                        : position == 4 ? RejectReason.BAD_VERSION : RejectReason.BAD_MAC;
                assertRejected(tampered, expected);
            }
        }
    }

    @Test
    void rejectsEveryTruncationAndExtensionOfAValidDatagram() {
        byte[] valid = codec.encode(Wire.heartbeat(BETA, 5, 6));
        for (int length = 0; length < valid.length; length++) {
            assertThat(decode(Arrays.copyOf(valid, length))).isInstanceOf(DecodeResult.Rejected.class);
        }
        for (int extra = 1; extra <= 40; extra++) {
            assertRejected(Arrays.copyOf(valid, valid.length + extra), RejectReason.BAD_MAC);
        }
    }
}
