package org.clusterd.mirror;

import java.util.concurrent.atomic.AtomicLong;

/** What the mirror port refused, by reason, since start. */
public final class Counters {
    public final AtomicLong tlsRefused = new AtomicLong();
    public final AtomicLong badFrames = new AtomicLong();
    public final AtomicLong badPaths = new AtomicLong();
    public final AtomicLong sessionsRefused = new AtomicLong();
    public final AtomicLong sessionsAccepted = new AtomicLong();

    @Override
    public String toString() {
        return "tlsRefused=" + tlsRefused + " badFrames=" + badFrames + " badPaths=" + badPaths
                + " sessionsRefused=" + sessionsRefused + " sessionsAccepted=" + sessionsAccepted;
    }
}
