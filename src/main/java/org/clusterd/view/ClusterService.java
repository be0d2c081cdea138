package org.clusterd.view;

import java.time.Duration;
import java.util.function.Consumer;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.Command;

/**
 * What every view (CLI control channel, HTTP, SNMP, JMX) may do with the running node: read the
 * current snapshot, submit an operator command, and follow the one event stream. Views never reach
 * into the node's internals.
 */
public interface ClusterService {
    /** The current snapshot; cheap, may be called often from any thread. */
    ClusterView view();

    /** Submits a command to the event loop and waits at most {@code timeout} for its answer. */
    CommandResult submit(Command command, Duration timeout);

    /**
     * Calls {@code listener} for every cluster event, on a thread that is not the event loop (a slow
     * listener delays other listeners, never the cluster). Closing the handle unsubscribes.
     */
    AutoCloseable subscribe(Consumer<ClusterEvent> listener);

    record CommandResult(boolean accepted, String message) {}
}
