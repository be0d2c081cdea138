package org.clusterd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReplayGuardTest {

    private static final long NOW = 1_000_000_000L;
    private static final long FIVE_MINUTES = Duration.ofMinutes(5).toMillis();

    private final ReplayGuard guard = new ReplayGuard();

    private Optional<RejectReason> check(long incarnation, long sequence) {
        return guard.check(incarnation, sequence, NOW, NOW).map(DecodeResult.Rejected::reason);
    }

    @Test
    void admitsTheFirstHeartbeatOfAnyIncarnationAndSequence() {
        assertThat(check(17, 123_456)).isEmpty();
    }

    @Test
    void rejectsADuplicate() {
        assertThat(check(1, 10)).isEmpty();
        assertThat(check(1, 10)).contains(RejectReason.REPLAY);
        assertThat(check(1, 11)).isEmpty();
        assertThat(check(1, 10)).contains(RejectReason.REPLAY);
        assertThat(check(1, 11)).contains(RejectReason.REPLAY);
    }

    @Test
    void admitsHeartbeatsReorderedWithinTheWindowOnceEach() {
        List<Long> sequences = new ArrayList<>();
        for (long s = 100; s < 100 + ReplayGuard.WINDOW; s++) {
            sequences.add(s);
        }
        Collections.shuffle(sequences, new Random(3));
        assertThat(check(1, 99 + ReplayGuard.WINDOW)).isEmpty(); // the newest first
        for (long s : sequences) {
            if (s != 99 + ReplayGuard.WINDOW) {
                assertThat(check(1, s)).as("sequence %d", s).isEmpty();
            }
        }
        for (long s : sequences) {
            assertThat(check(1, s)).as("sequence %d again", s).contains(RejectReason.REPLAY);
        }
    }

    @Test
    void rejectsASequenceOlderThanTheWindow() {
        assertThat(check(1, 1_000)).isEmpty();
        assertThat(check(1, 1_000 - ReplayGuard.WINDOW)).contains(RejectReason.REPLAY);
        assertThat(check(1, 0)).contains(RejectReason.REPLAY);
        assertThat(check(1, 1_000 - ReplayGuard.WINDOW + 1)).isEmpty(); // the oldest still in the window
    }

    @Test
    void aNewIncarnationStartsAFreshWindow() {
        assertThat(check(1, 5_000)).isEmpty();
        assertThat(check(2, 0)).isEmpty(); // the peer restarted: its sequence starts again
        assertThat(check(2, 1)).isEmpty();
        assertThat(check(2, 0)).contains(RejectReason.REPLAY);
        assertThat(check(1, 5_001)).contains(RejectReason.STALE_INCARNATION);
    }

    @Test
    void rejectsAnOlderIncarnationWhateverItsSequence() {
        assertThat(check(5, 1)).isEmpty();
        assertThat(check(4, 1)).contains(RejectReason.STALE_INCARNATION);
        assertThat(check(4, Long.MAX_VALUE)).contains(RejectReason.STALE_INCARNATION);
        assertThat(check(0, 2)).contains(RejectReason.STALE_INCARNATION);
        assertThat(check(5, 2)).isEmpty();
    }

    @Test
    void rejectsATimestampTooFarFromOurClockEitherWay() {
        assertThat(guard.check(1, 1, NOW - FIVE_MINUTES, NOW)).isEmpty();
        assertThat(guard.check(1, 2, NOW + FIVE_MINUTES, NOW)).isEmpty();
        assertThat(guard.check(1, 3, NOW - FIVE_MINUTES - 1, NOW))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.CLOCK_SKEW));
        assertThat(guard.check(1, 4, NOW + FIVE_MINUTES + 1, NOW))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.CLOCK_SKEW));
        assertThat(guard.check(1, 5, Long.MAX_VALUE, 0))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.CLOCK_SKEW));
        assertThat(guard.check(1, 6, Long.MIN_VALUE, Long.MAX_VALUE))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.CLOCK_SKEW));
    }

    @Test
    void theAllowedClockSkewIsConfigurable() {
        ReplayGuard strict = new ReplayGuard(Duration.ofSeconds(1));
        assertThat(strict.check(1, 1, NOW + 1_000, NOW)).isEmpty();
        assertThat(strict.check(1, 2, NOW + 1_001, NOW)).isPresent();
        assertThatThrownBy(() -> new ReplayGuard(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRejectedHeartbeatLeavesNoTrace() {
        assertThat(check(1, 1)).isEmpty();
        assertThat(guard.check(2, 9, NOW + FIVE_MINUTES + 1, NOW)).isPresent(); // skewed: not a new incarnation
        assertThat(check(1, 2)).isEmpty();
        assertThat(guard.check(1, 3, NOW - FIVE_MINUTES - 1, NOW)).isPresent(); // skewed: sequence 3 not used up
        assertThat(check(1, 3)).isEmpty();
    }

    @Test
    void countsSequenceNumbersSkippedAndNotFilledInLater() {
        check(1, 1);
        check(1, 2);
        check(1, 5);
        assertThat(guard.lost()).isEqualTo(2);
        check(1, 3); // late, not lost after all
        assertThat(guard.lost()).isEqualTo(1);
        check(1, 3); // a duplicate changes nothing
        assertThat(guard.lost()).isEqualTo(1);
        check(1, 5 + 200); // a long silence
        assertThat(guard.lost()).isEqualTo(1 + 199);
        check(2, 50); // a restart is not a loss
        check(2, 49); // nor is a datagram sent before the first one we saw
        assertThat(guard.lost()).isEqualTo(200);
    }

    /** Compares the 64-bit window with a model that remembers every sequence, over seeded random runs. */
    @Test
    void agreesWithASimpleModelOnRandomArrivals() {
        for (int run = 0; run < 50; run++) {
            Random random = new Random(run);
            ReplayGuard g = new ReplayGuard();
            long modelIncarnation = -1;
            long modelHighest = -1;
            Set<Long> seen = new HashSet<>();
            for (int step = 0; step < 400; step++) {
                long incarnation = Math.max(0, modelIncarnation + random.nextInt(40) / 38 - (random.nextInt(50) == 0 ? 1 : 0));
                long sequence = Math.max(0, modelHighest + random.nextInt(80) - 60);
                Optional<RejectReason> expected;
                if (modelIncarnation >= 0 && incarnation < modelIncarnation) {
                    expected = Optional.of(RejectReason.STALE_INCARNATION);
                } else if (incarnation > modelIncarnation) {
                    expected = Optional.empty();
                    modelIncarnation = incarnation;
                    modelHighest = sequence;
                    seen.clear();
                    seen.add(sequence);
                } else if (seen.contains(sequence) || sequence <= modelHighest - ReplayGuard.WINDOW) {
                    expected = Optional.of(RejectReason.REPLAY);
                } else {
                    expected = Optional.empty();
                    seen.add(sequence);
                    modelHighest = Math.max(modelHighest, sequence);
                }
                assertThat(g.check(incarnation, sequence, NOW, NOW).map(DecodeResult.Rejected::reason))
                        .as("run %d step %d: incarnation %d sequence %d", run, step, incarnation, sequence)
                        .isEqualTo(expected);
            }
        }
    }
}
