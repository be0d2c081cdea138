package org.clusterd.mirror;

/**
 * The outcome of one mirror pass of one set.
 *
 * @param status OK, FAILED or SKIPPED (not this node's to push, or nothing to do)
 * @param reason why it failed or was skipped; empty when OK
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
}
