package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"500ms, 500", "3s, 3000", "2m, 120000", "1h, 3600000", "750, 750", "0s, 0", "-3s, -3000", "' 5s ', 5000"})
    void parsesOneNumberWithOneUnit(String text, long ms) {
        assertThat(Durations.parseMillis(text)).isEqualTo(ms);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.5s", "5 s", "1m30s", "5sec", "5S", "s", "+5s", "1d"})
    void rejectsAnythingElseWithAnExample(String text) {
        assertThatThrownBy(() -> Durations.parseMillis(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration")
                .hasMessageContaining("500ms, 3s, 2m, 1h");
    }

    @Test
    void rejectsOverflowInsteadOfWrapping() {
        assertThatThrownBy(() -> Durations.parseMillis("999999999999999h")).hasMessageContaining("too large");
    }

    @ParameterizedTest
    @CsvSource({"1500, 1500ms", "3000, 3s", "120000, 2m", "7200000, 2h", "0, 0ms", "90000, 90s"})
    void formatsInTheLargestExactUnit(long ms, String text) {
        assertThat(Durations.format(ms)).isEqualTo(text);
        assertThat(Durations.parseMillis(text)).isEqualTo(ms);
    }
}
