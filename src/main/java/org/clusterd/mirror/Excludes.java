package org.clusterd.mirror;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.clusterd.config.MirrorSetConfig;

/**
 * Which paths of a set are not mirrored. A glob without a slash matches a name at any depth
 * ({@code *.lock}); one with a slash matches the whole relative path ({@code cache/**}). Always
 * excluded: the set's marker {@value #MARKER} at the root and temporary files {@value #TEMP_PREFIX}*.
 * Policy defaults: {@code mbox} excludes dotlocks ({@code *.lock}); {@code maildir} excludes IMAP
 * index files (Dovecot's {@code dovecot-uidlist}, {@code dovecot.index*}, ...; Dovecot rebuilds them)
 * and the contents of {@code tmp/} (deliveries in progress).
 */
public final class Excludes {
    public static final String MARKER = ".clusterd-mirror";
    public static final String TEMP_PREFIX = ".clusterd-tmp-";
    static final List<String> MBOX_DEFAULTS = List.of("*.lock");
    static final List<String> MAILDIR_DEFAULTS = List.of("dovecot-uidlist", "dovecot-uidlist.lock", "dovecot-uidvalidity*",
            "dovecot.index*", "dovecot.list.index*", "dovecot.mailbox.log*", "courierimapuiddb", "tmp/*", "**/tmp/*");

    private final List<String> globs;
    private final List<PathMatcher> names = new ArrayList<>();
    private final List<PathMatcher> paths = new ArrayList<>();

    public Excludes(List<String> globs) {
        this.globs = List.copyOf(globs);
        for (String g : globs) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + g);
            (g.contains("/") ? paths : names).add(m);
        }
    }

    public static Excludes of(String... globs) {
        return new Excludes(List.of(globs));
    }

    /** The set's own globs plus its policy's defaults. */
    public static Excludes forSet(MirrorSetConfig set) {
        List<String> all = new ArrayList<>(set.excludes());
        if (set.policy() == MirrorSetConfig.Policy.MBOX) {
            all.addAll(MBOX_DEFAULTS);
        } else if (set.policy() == MirrorSetConfig.Policy.MAILDIR) {
            all.addAll(MAILDIR_DEFAULTS);
        }
        return new Excludes(all);
    }

    public List<String> globs() {
        return globs;
    }

    /** Whether a relative path (with its last component {@code name}) is left out. */
    public boolean excludes(String path, String name) {
        if (name.startsWith(TEMP_PREFIX) || path.equals(MARKER)) {
            return true;
        }
        if (!names.isEmpty()) {
            Path n = Path.of(name);
            for (PathMatcher m : names) {
                if (m.matches(n)) {
                    return true;
                }
            }
        }
        if (!paths.isEmpty()) {
            Path p = Path.of(path);
            for (PathMatcher m : paths) {
                if (m.matches(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}
