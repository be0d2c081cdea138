package org.clusterd.it;

import java.time.Duration;

/** Timing of injected faults. */
final class Faults {
    private Faults() {
    }

    /**
     * Keeps a fault in place for {@code duration} (a frozen daemon, a cut link): this is the length
     * of the fault the test injects, not a wait for a condition, so it is a plain sleep.
     */
    static void lasting(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
