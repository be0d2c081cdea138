package org.clusterd.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.clusterd.harness.FreePorts;

/**
 * A wire tap: forwards every UDP datagram arriving on a port of 127.0.0.1 to one target, unchanged
 * and at once, and keeps a copy of the last {@value #KEEP} (so an attack test can replay real
 * heartbeats). Sits in front of a {@link org.clusterd.harness.LinkRelay} direction; it never drops.
 */
final class DatagramTap implements AutoCloseable {
    static final int KEEP = 2000;

    private final String name;
    private final InetSocketAddress target;
    private final DatagramSocket socket;
    private final Thread thread;
    private final Deque<byte[]> captured = new ArrayDeque<>();
    private final AtomicLong forwarded = new AtomicLong();

    DatagramTap(String name, InetSocketAddress target) throws SocketException {
        this.name = name;
        this.target = target;
        this.socket = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0));
        this.thread = new Thread(this::loop, "tap-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    long forwarded() {
        return forwarded.get();
    }

    /** Copies of the datagrams seen so far, oldest first (at most {@value #KEEP}). */
    List<byte[]> captured() {
        synchronized (captured) {
            List<byte[]> copy = new ArrayList<>(captured.size());
            for (byte[] d : captured) {
                copy.add(d.clone());
            }
            return copy;
        }
    }

    private void loop() {
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                byte[] payload = Arrays.copyOf(packet.getData(), packet.getLength());
                synchronized (captured) {
                    captured.addLast(payload);
                    while (captured.size() > KEEP) {
                        captured.removeFirst();
                    }
                }
                socket.send(new DatagramPacket(payload, payload.length, target));
                forwarded.incrementAndGet();
            } catch (IOException e) {
                // closed, or a send error on loopback: the next datagram tries again
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DatagramTap[" + name + " 127.0.0.1:" + port() + " -> " + target + " forwarded=" + forwarded + "]";
    }
}
