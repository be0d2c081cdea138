package org.clusterd.node;

import org.clusterd.config.ClusterConfig;

/** The running node daemon: wires every layer, runs the event loop until a graceful stop. */
public final class Daemon {
    private Daemon() {}

    /** Runs the node in the foreground until SIGTERM (graceful handover) and returns the exit status. */
    public static int run(ClusterConfig config) {
        throw new UnsupportedOperationException("not yet wired");
    }
}
