package org.clusterd.mirror;

/** What the mirror engine reports; the daemon bridges these to the cluster event stream. */
public sealed interface MirrorEvent {
    long time();

    /** A pass of {@code set} completed. */
    record MirrorCompleted(long time, String set, String group, long filesMoved, long bytesMoved, long conflicts,
                           long millis) implements MirrorEvent {}

    /**
     * This node received a whole pass of {@code set} from the owner, which left nothing out: its copy
     * holds the owner's data as of {@code dataTime} (the session's start, on this node's clock).
     */
    record MirrorReceived(long time, String set, String group, long dataTime) implements MirrorEvent {}

    /** A pass failed; the peer's files are intact (old or new) and the next pass continues. */
    record MirrorFailed(long time, String set, String group, String reason) implements MirrorEvent {}

    /** Both nodes changed {@code path}: {@code resolution} says what was kept where. */
    record ConflictDetected(long time, String set, String group, String path, String resolution) implements MirrorEvent {}

    /** A pass would have deleted {@code deletes} of {@code total} paths and was stopped. */
    record MassDeleteRefused(long time, String set, String group, long deletes, long total) implements MirrorEvent {}

    /** A connection or request on the mirror port was refused (bad certificate, frame or path). */
    record PeerRefused(long time, String remote, String reason) implements MirrorEvent {}
}
