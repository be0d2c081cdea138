package org.clusterd.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LogGateTest {
    @Test
    void letsOneLinePerKeyAndIntervalThroughAndCountsTheRest() {
        LogGate gate = new LogGate(1000);

        assertThat(gate.admit("a", 0)).hasValue(0);
        assertThat(gate.admit("a", 500)).isEmpty();
        assertThat(gate.admit("b", 500)).hasValue(0);
        assertThat(gate.admit("a", 999)).isEmpty();
        assertThat(gate.admit("a", 1000)).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void aClockGoingBackwardsOpensTheGate() {
        LogGate gate = new LogGate(1000);
        gate.admit("a", 5000);

        assertThat(gate.admit("a", 100)).hasValue(0);
    }
}
