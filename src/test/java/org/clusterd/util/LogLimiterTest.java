package org.clusterd.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class LogLimiterTest {

    private final LogLimiter limiter = new LogLimiter(10_000);

    @Test
    void letsOneLinePerKeyThroughPerIntervalAndCountsTheRest() {
        assertThat(limiter.admit("net1/BAD_MAC", 0)).isEqualTo(OptionalLong.of(0));
        for (int i = 1; i <= 500; i++) {
            assertThat(limiter.admit("net1/BAD_MAC", i)).isEmpty();
        }
        assertThat(limiter.admit("net1/BAD_MAC", 9_999)).isEmpty();
        assertThat(limiter.admit("net1/BAD_MAC", 10_000)).isEqualTo(OptionalLong.of(501));
        assertThat(limiter.admit("net1/BAD_MAC", 10_001)).isEmpty();
    }

    @Test
    void keysAreIndependent() {
        assertThat(limiter.admit("net1/BAD_MAC", 0)).isPresent();
        assertThat(limiter.admit("net2/BAD_MAC", 1)).isPresent();
        assertThat(limiter.admit("net1/REPLAY", 2)).isPresent();
        assertThat(limiter.admit("net1/BAD_MAC", 3)).isEmpty();
    }

    @Test
    void aClockThatJumpsBackDoesNotSilenceTheLog() {
        assertThat(limiter.admit("k", 1_000_000)).isPresent();
        assertThat(limiter.admit("k", 5)).isPresent();
        assertThat(limiter.admit("k", 6)).isEmpty();
    }
}
