package org.clusterd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measured numbers of the multi-process tests: printed (never asserted unless a test says so) and
 * appended to {@code target/it-measurements.txt} so a run's numbers can be read in one place.
 */
final class Measurements {
    static final Path FILE = Path.of("target", "it-measurements.txt");

    private Measurements() {
    }

    static synchronized void report(String test, String what, String value) {
        String line = Instant.now() + " " + test + ": " + what + " = " + value + " [load " + loadAverage() + "]";
        System.out.println("MEASURED " + line);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot write " + FILE + ": " + e);
        }
    }

    /** The 1-minute load average (the machine may be shared: numbers are only as good as it is idle). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String summary(List<Long> millis) {
        if (millis.isEmpty()) {
            return "no runs";
        }
        return "median " + median(millis) + " ms, min " + Collections.min(millis) + " ms, max "
                + Collections.max(millis) + " ms, runs " + millis;
    }
}
