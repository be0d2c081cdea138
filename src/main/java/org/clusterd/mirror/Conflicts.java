package org.clusterd.mirror;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Names of conflict copies: {@code NAME.clusterd-conflict-<UTC yyyyMMdd'T'HHmmss'Z'>-<node>.EXT}, the
 * extension kept so the copy still opens with the right program
 * ({@code report.clusterd-conflict-20261126T101500Z-node-b.doc}).
 */
public final class Conflicts {
    public static final String TAG = ".clusterd-conflict-";
    /** Conflict copies kept per file; older ones go to the trash. */
    public static final int MAX_PER_FILE = 5;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern COPY = Pattern.compile(".*\\.clusterd-conflict-\\d{8}T\\d{6}Z-.*");

    private Conflicts() {}

    /** The conflict copy's name for {@code name}; {@code seq} > 1 tells copies made in the same second apart. */
    public static String copyName(String name, Instant when, String node, int seq) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return stem + TAG + STAMP.format(when) + "-" + node + (seq > 1 ? "-" + seq : "") + ext;
    }

    /** Whether a name is a conflict copy (whose own conflicts make no further copies). */
    public static boolean isCopy(String name) {
        return COPY.matcher(name).matches();
    }

    /** Whether {@code candidate} is a conflict copy of {@code name}. */
    public static boolean isCopyOf(String candidate, String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return isCopy(candidate) && candidate.startsWith(stem + TAG) && candidate.endsWith(ext)
                && candidate.length() > stem.length() + TAG.length() + ext.length();
    }
}
