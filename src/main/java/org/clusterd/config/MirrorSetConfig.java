package org.clusterd.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One mirror set of a group: a directory tree mirrored from the group's owner to the other node on a
 * Quartz cron {@code schedule}. {@code excludes} are globs: one without a slash matches any name at
 * any depth ({@code *.tmp}), one with a slash matches the whole path relative to the set's root
 * ({@code cache/**}). {@code maxDeleteShare}: a pass that would delete more than this share of the
 * set's files stops and raises an event instead. {@code fullChecksum}: hash every file on every pass
 * instead of only those whose size or modification time changed.
 */
public record MirrorSetConfig(String name, Path path, List<String> excludes, String schedule, Policy policy,
                              double maxDeleteShare, boolean fullChecksum) {
    /** How files changed on both nodes are brought together. */
    public enum Policy { COPY, MBOX, MAILDIR }

    public static final String DEFAULT_SCHEDULE = "0 */5 * * * ?";
    public static final double DEFAULT_MAX_DELETE_SHARE = 0.5;

    public MirrorSetConfig {
        excludes = List.copyOf(excludes);
    }
}
