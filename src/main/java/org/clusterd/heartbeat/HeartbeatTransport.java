package org.clusterd.heartbeat;

import java.io.IOException;
import java.util.List;

import org.clusterd.cluster.Heartbeat;

/**
 * Carries heartbeats between this node and its peer over every configured link.
 *
 * <p>What it does <b>not</b> guarantee: a sent heartbeat may be lost on any or every link, may arrive
 * on one link and not another, may arrive late, and copies may arrive out of order across and within
 * links. Heartbeats are repeated every interval, so none of this matters to a caller that treats each
 * one as the peer's whole current state and judges a link by how recently something arrived on it.
 * What it does guarantee: the listener only sees authentic heartbeats of our cluster, from our peer,
 * each (incarnation, sequence) at most once per link, never an older incarnation than one already seen.
 */
public interface HeartbeatTransport extends AutoCloseable {

    /** Receives the heartbeats that passed every check. */
    @FunctionalInterface
    interface Listener {
        /**
         * Called on a transport thread, possibly concurrently for different links: hand the heartbeat
         * on (post it to the event loop's inbox) and return, never block. An exception is logged and
         * the transport carries on.
         */
        void onHeartbeat(String linkName, Heartbeat heartbeat);
    }

    /**
     * Opens the links and starts receiving. Once only.
     *
     * @throws IOException if a link cannot be opened; the message names the link and its address, and
     *                     links already opened are closed again
     */
    void start(Listener listener) throws IOException;

    /**
     * Sends {@code heartbeat} on every link to the peer, without waiting for the network: a datagram
     * the network cannot take at once is dropped and counted as a send error.
     *
     * @throws IllegalArgumentException if the heartbeat cannot be encoded (see {@link HeartbeatCodec#encode})
     * @throws IllegalStateException    before {@link #start} or after {@link #close}
     */
    void send(Heartbeat heartbeat);

    /** A snapshot of the counters of every link, in configuration order; callable from any thread. */
    List<LinkStats> stats();

    /** Stops receiving and closes the links; idempotent; returns once the receive threads are gone. */
    @Override
    void close();
}
