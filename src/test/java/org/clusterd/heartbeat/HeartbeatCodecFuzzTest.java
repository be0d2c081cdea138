package org.clusterd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.heartbeat.Wire.KEY;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link HeartbeatCodec#decode}: random and mutated datagrams, with and without a
 * valid MAC (a valid MAC is what lets the input reach the body parser). The decoder must never throw,
 * must never accept a datagram whose MAC is wrong, and whatever it accepts must be exactly the
 * canonical encoding of what it returns. A failure names its seed and iteration; rerun that seed.
 */
class HeartbeatCodecFuzzTest {

    private static final long SEED = 0x5EED_C1B5L;
    private static final int ITERATIONS = 10_000;

    private final HeartbeatCodec codec = new HeartbeatCodec(KEY);

    @Test
    void randomAndMutatedDatagramsNeverThrowAndNeverPassWithoutAValidMac() {
        Random random = new Random(SEED);
        Map<RejectReason, Integer> rejections = new EnumMap<>(RejectReason.class);
        int decoded = 0;
        int reachedParser = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] datagram = switch (i % 4) {
                case 0 -> randomBytes(random);
                case 1 -> mutate(random, codec.encode(RandomHeartbeats.next(random)));
                case 2 -> Wire.seal(KEY, Wire.header().bytes(randomLength(random, 1380)).unsealed());
                default -> Wire.seal(KEY, mutate(random, unsealed(codec.encode(RandomHeartbeats.next(random)))));
            };
            String where = "seed " + SEED + " iteration " + i + ": " + Arrays.toString(datagram);
            DecodeResult result = codec.decode(datagram, 0, datagram.length); // an exception fails the test
            boolean macValid = Wire.macValid(KEY, datagram);
            if (macValid && datagram.length >= HeartbeatCodec.MIN_DATAGRAM
                    && datagram.length <= HeartbeatCodec.MAX_DATAGRAM && datagram[4] == 1) {
                reachedParser++;
            }
            if (result instanceof DecodeResult.Decoded d) {
                decoded++;
                assertThat(macValid).as(where).isTrue();
                assertThat(codec.encode(d.heartbeat())).as(where).isEqualTo(datagram);
            } else {
                rejections.merge(((DecodeResult.Rejected) result).reason(), 1, Integer::sum);
            }
        }
        // the fuzzer really exercised every stage, not just the length check
        assertThat(rejections).containsKeys(RejectReason.TOO_SHORT, RejectReason.TOO_LONG, RejectReason.BAD_MAGIC,
                RejectReason.BAD_VERSION, RejectReason.BAD_MAC, RejectReason.MALFORMED);
        assertThat(reachedParser).isGreaterThan(ITERATIONS / 3);
        assertThat(decoded).isPositive();
    }

    private static byte[] unsealed(byte[] datagram) {
        return Arrays.copyOf(datagram, datagram.length - HeartbeatCodec.MAC_LENGTH);
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = randomLength(random, 1500);
        if (random.nextBoolean() && bytes.length >= 5) { // get past the magic now and then
            bytes[0] = 'C';
            bytes[1] = 'L';
            bytes[2] = 'H';
            bytes[3] = 'B';
            bytes[4] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 1);
        }
        return bytes;
    }

    private static byte[] randomLength(Random random, int max) {
        byte[] bytes = new byte[random.nextInt(max + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One to four edits: flip, set, truncate, extend, insert, delete, or overwrite a length field. */
    private static byte[] mutate(Random random, byte[] input) {
        byte[] out = input.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = out.length == 0 ? 0 : random.nextInt(out.length);
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (out.length > 0) {
                        out[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (out.length > 0) {
                        out[at] = (byte) (random.nextBoolean() ? 0 : random.nextInt(256));
                    }
                }
                case 2 -> out = Arrays.copyOf(out, at);
                case 3 -> out = Arrays.copyOf(out, out.length + 1 + random.nextInt(8));
                case 4 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    if (out.length > 0) {
                        byte[] shorter = new byte[out.length - 1];
                        System.arraycopy(out, 0, shorter, 0, at);
                        System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                        out = shorter;
                    }
                }
            }
        }
        return out;
    }
}
