package org.clusterd.mirror;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.clusterd.config.MirrorSetConfig.Policy;

/**
 * The pure three-way planner of a mirror pass. For each path it compares the last common sync
 * (base, B), the owner's scan (source, S) and the peer's scan (target, T) and decides one {@link
 * Action}. Rules (architecture rule 5):
 * <ul>
 * <li>S only: create it on the peer (also when the peer deleted it: the owner's copy wins).</li>
 * <li>T only: delete it only when B proves it existed and T is unchanged since (and the pass had no
 * read error, see {@link Options#deletesAllowed}); changed since B: keep it as a conflict; not in
 * B: keep it (new on the peer).</li>
 * <li>Both, equal content: in sync, or only metadata to set.</li>
 * <li>Both, differing, T unchanged since B: replace (as an append when T is a prefix of S, as a
 * delta for large files); the old version goes to the trash.</li>
 * <li>Both changed, or no B (a lost manifest): a conflict. The owner's version wins and the peer's
 * stays beside it as a conflict copy (never a copy of a copy); policy {@code mbox} merges the spool
 * instead, policy {@code maildir} matches messages by unique name.</li>
 * </ul>
 * Content is equal when type, size and hash match; without hashes, when size and time match
 * (never in full-checksum mode).
 */
public final class Reconciler {
    /** Files at least this large on both sides move as block deltas. */
    public static final long DELTA_MIN = 256 * 1024;
    /** Deleting this many files is never a mass deletion, whatever the share. */
    public static final long MASS_DELETE_FLOOR = 10;

    private Reconciler() {}

    /**
     * @param deletesAllowed false after a read error on either side: nothing is deleted
     * @param compareOwners whether uid/gid count as metadata to carry (the peer runs as root)
     * @param sourceMessages for {@code maildir}: each message key of the source ({@link Maildir#key})
     *     with its entry; empty otherwise
     */
    public record Options(Policy policy, boolean fullChecksum, boolean deletesAllowed, boolean compareOwners,
                          Map<String, FileEntry> sourceMessages) {
        public static Options copy() {
            return new Options(Policy.COPY, false, true, true, Map.of());
        }

        public Options withPolicy(Policy p) {
            return new Options(p, fullChecksum, deletesAllowed, compareOwners, sourceMessages);
        }

        public Options withDeletesAllowed(boolean d) {
            return new Options(policy, fullChecksum, d, compareOwners, sourceMessages);
        }

        public Options withSourceMessages(Map<String, FileEntry> m) {
            return new Options(policy, fullChecksum, deletesAllowed, compareOwners, m);
        }

        public Options withFullChecksum(boolean f) {
            return new Options(policy, f, deletesAllowed, compareOwners, sourceMessages);
        }
    }

    /** Where planned actions go, with the path's base entry (to keep in the manifest if the action fails). */
    @FunctionalInterface
    public interface Sink {
        void accept(Action action, FileEntry base) throws IOException;
    }

    /** Counts of a plan. {@code baseCount}: paths in the last common sync. */
    public record Summary(long baseCount, long inSync, long creates, long replaces, long metas, long deletes,
                          long renames, long merges, long keeps, long conflicts, long skips, long bytesToSend) {
        public long changes() {
            return creates + replaces + metas + deletes + renames + merges;
        }

        /**
         * Whether the deletes exceed {@code share} of the set (and the small floor). Maildir renames
         * do not count: a client that opens a mailbox moves every new message to cur/ at once.
         */
        public boolean massDelete(double share) {
            return deletes > MASS_DELETE_FLOOR && deletes > share * Math.max(1, baseCount);
        }
    }

    /** Plans a pass over three iterators in {@link PathOrder}. */
    public static Summary plan(EntryIterator base, EntryIterator source, EntryIterator target, Options o, Sink sink)
            throws IOException {
        long baseCount = 0;
        long inSync = 0;
        long creates = 0;
        long replaces = 0;
        long metas = 0;
        long deletes = 0;
        long renames = 0;
        long merges = 0;
        long keeps = 0;
        long conflicts = 0;
        long skips = 0;
        long bytes = 0;
        while (true) {
            String path = min(min(pathOf(base.peek()), pathOf(source.peek())), pathOf(target.peek()));
            if (path == null) {
                break;
            }
            FileEntry b = take(base, path);
            FileEntry s = take(source, path);
            FileEntry t = take(target, path);
            if (b != null) {
                baseCount++;
            }
            Action a = decide(b, s, t, o);
            if (a == null) {
                continue;
            }
            if (a instanceof Action.InSync) {
                inSync++;
            } else if (a instanceof Action.Create c) {
                creates++;
                bytes += c.source().size();
            } else if (a instanceof Action.Replace r) {
                replaces++;
                if (r.displace() == Action.Displace.CONFLICT_COPY) {
                    conflicts++;
                }
                bytes += r.transfer() == Action.Transfer.APPEND ? r.source().size() - r.target().size() : r.source().size();
            } else if (a instanceof Action.SetMeta) {
                metas++;
            } else if (a instanceof Action.Delete d && d.renamed()) {
                renames++;
            } else if (a instanceof Action.Delete) {
                deletes++;
            } else if (a instanceof Action.MergeMbox m) {
                merges++;
                conflicts++;
                bytes += m.source().size();
            } else if (a instanceof Action.Keep k) {
                keeps++;
                if (k.conflict()) {
                    conflicts++;
                }
            } else if (a instanceof Action.Skip) {
                skips++;
            }
            sink.accept(a, b);
        }
        return new Summary(baseCount, inSync, creates, replaces, metas, deletes, renames, merges, keeps, conflicts, skips,
                bytes);
    }

    private static String pathOf(FileEntry e) {
        return e == null ? null : e.path();
    }

    private static String min(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return PathOrder.compare(a, b) <= 0 ? a : b;
    }

    private static FileEntry take(EntryIterator it, String path) throws IOException {
        FileEntry e = it.peek();
        return e != null && e.path().equals(path) ? it.next() : null;
    }

    /** Whether two entries hold the same content. */
    public static boolean sameContent(FileEntry a, FileEntry b, boolean fullChecksum) {
        if (a == null || b == null || a.type() != b.type()) {
            return false;
        }
        switch (a.type()) {
            case DIR:
                return true;
            case SYMLINK:
                return Objects.equals(a.linkTarget(), b.linkTarget());
            default:
                if (a.size() != b.size()) {
                    return false;
                }
                if (a.hash() != null && b.hash() != null) {
                    return a.hash().equals(b.hash());
                }
                return !fullChecksum && a.mtimeNs() == b.mtimeNs();
        }
    }

    static boolean sameMeta(FileEntry s, FileEntry t, boolean owners) {
        if (s.type() != EntryType.SYMLINK && s.mode() != t.mode()) {
            return false;
        }
        if (owners && (s.uid() != t.uid() || s.gid() != t.gid())) {
            return false;
        }
        return s.type() != EntryType.FILE || s.mtimeNs() == t.mtimeNs();
    }

    /** The decision for one path; null when it exists nowhere that matters. */
    public static Action decide(FileEntry b, FileEntry s, FileEntry t, Options o) {
        boolean full = o.fullChecksum();
        if (s == null && t == null) {
            return null;
        }
        if (s != null && s.type() == EntryType.SYMLINK && !PathGuard.linkStaysInside(s.path(), s.linkTarget())) {
            return new Action.Skip(s, "symlink to " + s.linkTarget() + " leads out of the set; not mirrored");
        }
        if (t == null) {
            return new Action.Create(s);
        }
        if (s == null) {
            return targetOnly(b, t, o);
        }
        boolean tUnchanged = b != null && sameContent(t, b, full);
        if (s.type() != t.type()) {
            if (t.isDir()) {
                // the peer's directory moves aside whole (a conflict copy) and the owner's entry takes
                // its place; leaving it would keep the owner's file off the peer for good
                return new Action.Replace(s, t, Action.Transfer.FULL, Action.Displace.CONFLICT_COPY);
            }
            return new Action.Replace(s, t, Action.Transfer.FULL, tUnchanged ? Action.Displace.TRASH : displaceFor(t));
        }
        if (sameContent(s, t, full)) {
            return sameMeta(s, t, o.compareOwners()) ? new Action.InSync(s) : new Action.SetMeta(s, t);
        }
        if (tUnchanged) {
            return new Action.Replace(s, t, transfer(s, t), Action.Displace.TRASH);
        }
        if (o.policy() == Policy.MBOX && s.isFile()) {
            return mbox(b, s, t, full);
        }
        return new Action.Replace(s, t, transfer(s, t), displaceFor(t));
    }

    private static Action targetOnly(FileEntry b, FileEntry t, Options o) {
        boolean full = o.fullChecksum();
        if (o.policy() == Policy.MAILDIR && t.isFile()) {
            String key = Maildir.key(t.path());
            FileEntry other = key == null ? null : o.sourceMessages().get(key);
            if (other != null) {
                if (sameContent(other, t, full) || (other.hash() != null && other.hash().equals(t.hash()))) {
                    // the same message under another name (flags or new/ -> cur/): the owner's name wins
                    return new Action.Delete(t, true);
                }
                return new Action.Keep(t, null, "message " + other.path() + " on the owner has the same unique name"
                        + " but other content", true);
            }
        }
        if (b == null) {
            return new Action.Keep(t, null, "only on the peer", false);
        }
        if (!sameContent(t, b, full) && !(t.isDir() && b.isDir())) {
            return new Action.Keep(t, null, "deleted on the owner but changed on the peer; kept", true);
        }
        if (!o.deletesAllowed()) {
            return new Action.Keep(t, b, "deletion postponed: the pass had read errors", false);
        }
        return new Action.Delete(t);
    }

    private static Action mbox(FileEntry b, FileEntry s, FileEntry t, boolean full) {
        if (b != null && b.isFile() && b.hash() != null) {
            boolean sSame = sameContent(s, b, full);
            boolean sAppended = sSame || (s.prefixLength() == b.size() && b.hash().equals(s.prefixHash()));
            boolean tAppended = t.prefixLength() == b.size() && b.hash().equals(t.prefixHash());
            if (sAppended && tAppended) {
                if (sSame) {
                    return new Action.Keep(t, s, "the peer's spool has messages the owner's lacks; kept", false);
                }
                return new Action.MergeMbox(b, s, t, true);
            }
        }
        return new Action.MergeMbox(b, s, t, false);
    }

    static Action.Transfer transfer(FileEntry s, FileEntry t) {
        if (s.isFile() && t.isFile()) {
            if (t.size() > 0 && s.prefixLength() == t.size() && t.hash() != null && t.hash().equals(s.prefixHash())) {
                return Action.Transfer.APPEND;
            }
            if (s.size() >= DELTA_MIN && t.size() >= DELTA_MIN) {
                return Action.Transfer.DELTA;
            }
        }
        return Action.Transfer.FULL;
    }

    private static Action.Displace displaceFor(FileEntry t) {
        return Conflicts.isCopy(t.name()) ? Action.Displace.TRASH : Action.Displace.CONFLICT_COPY;
    }
}
