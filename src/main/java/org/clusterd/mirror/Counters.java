package org.clusterd.mirror;

import java.util.concurrent.atomic.AtomicLong;

/** What the mirror port refused, by reason, and how new manifests arrived, since start. */
public final class Counters {
    public final AtomicLong tlsRefused = new AtomicLong();
    public final AtomicLong badFrames = new AtomicLong();
    public final AtomicLong badPaths = new AtomicLong();
    public final AtomicLong sessionsRefused = new AtomicLong();
    public final AtomicLong sessionsAccepted = new AtomicLong();
    /** New manifests rebuilt here from the owner's changes to the old one. */
    public final AtomicLong manifestsFromChanges = new AtomicLong();
    /** New manifests received whole (no common old one, an older owner, or a rebuild that did not match). */
    public final AtomicLong manifestsWhole = new AtomicLong();

    @Override
    public String toString() {
        return "tlsRefused=" + tlsRefused + " badFrames=" + badFrames + " badPaths=" + badPaths
                + " sessionsRefused=" + sessionsRefused + " sessionsAccepted=" + sessionsAccepted
                + " manifestsFromChanges=" + manifestsFromChanges + " manifestsWhole=" + manifestsWhole;
    }
}
