package org.clusterd.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 3s}, {@code 2m}, {@code 1h}, or a bare
 * whole number meaning milliseconds. No fractions, no spaces, no combined forms ({@code 1m30s}):
 * one number, one unit, so that a value always reads the same way. Pure functions, usable by the
 * CLI and the JMX tuning operations as well as by the config loader.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(-?)(\\d{1,15})(ms|s|m|h)?");

    private Durations() {}

    /**
     * Parses a duration into milliseconds. The sign is kept (callers decide whether zero or negative
     * values make sense and say so in their own words).
     *
     * @throws IllegalArgumentException with an operator-readable reason when {@code text} is not a
     *         duration or does not fit in a long
     */
    public static long parseMillis(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration;"
                    + " write a whole number with a unit (500ms, 3s, 2m, 1h) or a bare number of milliseconds");
        }
        long unitMs = switch (m.group(3) == null ? "ms" : m.group(3)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> throw new AssertionError(m.group(3));
        };
        try {
            long ms = Math.multiplyExact(Long.parseLong(m.group(2)), unitMs);
            return m.group(1).isEmpty() ? ms : -ms;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration", e);
        }
    }

    /** Formats milliseconds in the largest unit that represents them exactly: 1500 → "1500ms", 3000 → "3s". */
    public static String format(long ms) {
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
