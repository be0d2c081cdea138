package org.clusterd.harness;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards UDP datagrams arriving on a port of 127.0.0.1 to one target address, in one
 * direction only, and lets a test damage that path: {@link #cut()} it, lose a seeded
 * percentage of datagrams, or delay them.
 *
 * <p>Datagrams are sent on from the relay's own socket, so the target sees them coming from
 * {@code 127.0.0.1:port()}. Delivery order is the arrival order, also while the delay
 * changes. A datagram is dropped if the relay is cut when it arrives or when it is due
 * (a cut cable loses what is in flight). Losses are drawn from a {@link Random} seeded by
 * {@link #setLossPercent(int, long)}, one draw per datagram that is not cut, so a run with
 * the same datagrams loses the same ones.
 */
public final class UdpRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpRelay.class);
    private static final int MAX_DATAGRAM = 65535;

    private final String name;
    private final InetSocketAddress target;
    private final DatagramSocket socket;
    private final ScheduledExecutorService sender;
    private final Thread receiver;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private volatile boolean cut;
    private volatile long delayNanos;
    private int lossPercent;
    private Random lossRandom = new Random(0);
    /** Due time of the last datagram scheduled; later datagrams are never due earlier. */
    private long lastDueNanos = Long.MIN_VALUE;
    private final ArrayDeque<byte[]> inFlight = new ArrayDeque<>();

    /**
     * Binds 127.0.0.1:{@code listenPort} (0 picks a free port, see {@link #port()}) and starts
     * forwarding to {@code target}.
     */
    public UdpRelay(String name, int listenPort, InetSocketAddress target) throws SocketException {
        this.name = name;
        this.target = target;
        this.socket = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, listenPort));
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "relay-send-" + name));
        this.receiver = daemonThread(this::receiveLoop, "relay-recv-" + name);
        receiver.start();
        log.debug("started {}", this);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public InetSocketAddress target() {
        return target;
    }

    /** Drops every datagram from now on (also those delayed and not yet delivered). */
    public void cut() {
        cut = true;
        log.info("{}: cut", name);
    }

    public void restore() {
        cut = false;
        log.info("{}: restored", name);
    }

    public boolean isCut() {
        return cut;
    }

    /** Loses {@code percent} (0..100) of the datagrams, drawn from a generator seeded with {@code seed}. */
    public synchronized void setLossPercent(int percent, long seed) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("loss percent must be 0..100, got " + percent);
        }
        this.lossPercent = percent;
        this.lossRandom = new Random(seed);
        log.info("{}: loss {}% (seed {})", name, percent, seed);
    }

    /** Delivers each datagram {@code millis} after it arrived (never before an earlier one). */
    public void setDelayMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("delay must be >= 0, got " + millis);
        }
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        log.info("{}: delay {} ms", name, millis);
    }

    public long received() {
        return received.get();
    }

    public long forwarded() {
        return forwarded.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Closes the socket; datagrams still delayed are discarded. */
    @Override
    public void close() {
        socket.close();
        sender.shutdownNow();
        try {
            receiver.join(2000);
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.debug("closed {}", this);
    }

    @Override
    public String toString() {
        return "UdpRelay[" + name + " 127.0.0.1:" + port() + " -> " + target.getAddress().getHostAddress() + ":"
                + target.getPort() + (cut ? " CUT" : "") + " loss=" + lossPercent + "% delay="
                + TimeUnit.NANOSECONDS.toMillis(delayNanos) + "ms received=" + received + " forwarded=" + forwarded
                + " dropped=" + dropped + "]";
    }

    private void receiveLoop() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("{}: receive failed: {}", name, e.toString());
                }
                continue;
            }
            received.incrementAndGet();
            byte[] payload = Arrays.copyOf(packet.getData(), packet.getLength());
            if (cut || lost()) {
                dropped.incrementAndGet();
                continue;
            }
            schedule(payload);
        }
    }

    private synchronized boolean lost() {
        return lossPercent > 0 && lossRandom.nextInt(100) < lossPercent;
    }

    /**
     * Queues the datagram and schedules one delivery. Each delivery sends the oldest queued
     * datagram, not "its own", so the order holds even if the executor ran two deliveries
     * due at nearly the same time in the other order.
     */
    private synchronized void schedule(byte[] payload) {
        long now = System.nanoTime();
        long due = Math.max(now + delayNanos, lastDueNanos);
        lastDueNanos = due;
        inFlight.add(payload);
        try {
            sender.schedule(this::deliverOldest, due - now, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            inFlight.pollLast();
            dropped.incrementAndGet();
        }
    }

    private void deliverOldest() {
        byte[] payload;
        synchronized (this) {
            payload = inFlight.poll();
        }
        if (payload == null) {
            return;
        }
        if (cut || socket.isClosed()) {
            dropped.incrementAndGet();
            return;
        }
        try {
            socket.send(new DatagramPacket(payload, payload.length, target));
            forwarded.incrementAndGet();
        } catch (IOException e) {
            dropped.incrementAndGet();
            log.debug("{}: send failed: {}", name, e.toString());
        }
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
