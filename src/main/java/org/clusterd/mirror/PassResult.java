package org.clusterd.mirror;

/**
 * The outcome of one mirror pass of one set.
 *
 * @param status OK, FAILED or SKIPPED (not this node's to push, or nothing to do)
 * @param reason why it failed or was skipped; for an OK pass, what it left for the next one, or empty
 * @param changedDuringPass paths left alone because they changed while the pass ran (the next pass takes them)
 */
public record PassResult(String set, Status status, String reason, long filesMoved, long bytesMoved, long conflicts,
                         long deleted, long changedDuringPass, long millis) {
    public enum Status { OK, FAILED, SKIPPED }

    public static PassResult skipped(String set, String reason) {
        return new PassResult(set, Status.SKIPPED, reason, 0, 0, 0, 0, 0, 0);
    }

    public static PassResult failed(String set, String reason, long millis) {
        return new PassResult(set, Status.FAILED, reason, 0, 0, 0, 0, 0, millis);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** OK, and nothing was left for a later pass: the owner's data as of the pass's start is on the peer. */
    public boolean complete() {
        return ok() && changedDuringPass == 0;
    }

    /** This pass followed by {@code next} of the same set, as one: the moves add up, the outcome is next's. */
    public PassResult then(PassResult next) {
        return new PassResult(set, next.status, next.reason, filesMoved + next.filesMoved, bytesMoved + next.bytesMoved,
                conflicts + next.conflicts, deleted + next.deleted, next.changedDuringPass, millis + next.millis);
    }
}
