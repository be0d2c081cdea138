package org.clusterd.harness;

import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * One heartbeat link between node A and node B, made of two {@link UdpRelay}s, one per
 * direction, so a test can cut it both ways or one way.
 *
 * <p>Wiring: node A sends its heartbeats for this link to {@code 127.0.0.1:}{@link #portTowardB()}
 * and binds the address given here as {@code nodeA}; node B sends to {@link #portTowardA()}
 * and binds {@code nodeB}.
 */
public final class LinkRelay implements AutoCloseable {
    public enum Direction { A_TO_B, B_TO_A }

    private final String name;
    private final UdpRelay aToB;
    private final UdpRelay bToA;

    /**
     * @param listenTowardB port of 127.0.0.1 that A sends to (0: any free port)
     * @param nodeB         where B receives heartbeats
     * @param listenTowardA port of 127.0.0.1 that B sends to (0: any free port)
     * @param nodeA         where A receives heartbeats
     */
    public LinkRelay(String name, int listenTowardB, InetSocketAddress nodeB,
                     int listenTowardA, InetSocketAddress nodeA) throws SocketException {
        this.name = name;
        this.aToB = new UdpRelay(name + "-a>b", listenTowardB, nodeB);
        try {
            this.bToA = new UdpRelay(name + "-b>a", listenTowardA, nodeA);
        } catch (SocketException | RuntimeException e) {
            aToB.close();
            throw e;
        }
    }

    public int portTowardB() {
        return aToB.port();
    }

    public int portTowardA() {
        return bToA.port();
    }

    public UdpRelay relay(Direction direction) {
        return direction == Direction.A_TO_B ? aToB : bToA;
    }

    /** Cuts both directions. */
    public void cut() {
        aToB.cut();
        bToA.cut();
    }

    /** Cuts only {@code direction}; the other direction is left as it is. */
    public void cutOneWay(Direction direction) {
        relay(direction).cut();
    }

    /** Restores both directions. */
    public void restore() {
        aToB.restore();
        bToA.restore();
    }

    /** Same loss in both directions, with independent generators derived from {@code seed}. */
    public void setLossPercent(int percent, long seed) {
        aToB.setLossPercent(percent, seed);
        bToA.setLossPercent(percent, seed ^ 0x5DEECE66DL);
    }

    public void setDelayMillis(long millis) {
        aToB.setDelayMillis(millis);
        bToA.setDelayMillis(millis);
    }

    @Override
    public void close() {
        aToB.close();
        bToA.close();
    }

    @Override
    public String toString() {
        return "LinkRelay[" + name + " " + aToB + " " + bToA + "]";
    }
}
