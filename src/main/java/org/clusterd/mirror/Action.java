package org.clusterd.mirror;

/**
 * One step of a mirror pass for one path, as the {@link Reconciler} decides it from the last common
 * sync (base), the owner's scan (source) and the peer's scan (target).
 */
public sealed interface Action {
    String path();

    /** How a file's new content travels. */
    enum Transfer {
        /** The whole file. */
        FULL,
        /** Only the blocks whose hashes differ from the peer's old file. */
        DELTA,
        /** The peer's file is a verified prefix of the owner's: only the tail. */
        APPEND
    }

    /** What happens to the peer's old version when it is replaced. */
    enum Displace {
        /** It goes to the trash (it was the last common version, or a conflict copy already). */
        TRASH,
        /** It stays beside the file as a conflict copy: the peer changed it too. */
        CONFLICT_COPY
    }

    /** Both sides agree; the manifest records it. */
    record InSync(FileEntry source) implements Action {
        public String path() {
            return source.path();
        }
    }

    /** The peer lacks the path: create it. */
    record Create(FileEntry source) implements Action {
        public String path() {
            return source.path();
        }
    }

    /** The content (or type) differs: the owner's version replaces the peer's. */
    record Replace(FileEntry source, FileEntry target, Transfer transfer, Displace displace) implements Action {
        public String path() {
            return source.path();
        }
    }

    /** Only mode, owner or time differ. */
    record SetMeta(FileEntry source, FileEntry target) implements Action {
        public String path() {
            return source.path();
        }
    }

    /**
     * Proven deleted on the owner and unchanged on the peer since the last common sync; or
     * ({@code renamed}) a Maildir message the owner has under another name (its flags changed, or it
     * moved from new/ to cur/), so no message goes.
     */
    record Delete(FileEntry target, boolean renamed) implements Action {
        Delete(FileEntry target) {
            this(target, false);
        }

        public String path() {
            return target.path();
        }
    }

    /** An mbox spool changed on both sides: merge so that no message is lost. */
    record MergeMbox(FileEntry base, FileEntry source, FileEntry target, boolean appendOnly) implements Action {
        public String path() {
            return source.path();
        }
    }

    /**
     * The peer's version stays as it is. {@code newBase} is what the manifest records for the path
     * (null: nothing), {@code conflict} whether both sides changed it.
     */
    record Keep(FileEntry target, FileEntry newBase, String reason, boolean conflict) implements Action {
        public String path() {
            return target.path();
        }
    }

    /** The owner's path is not mirrored at all (a symlink leading out of the set). */
    record Skip(FileEntry source, String reason) implements Action {
        public String path() {
            return source.path();
        }
    }
}
