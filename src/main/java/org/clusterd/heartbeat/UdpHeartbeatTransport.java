package org.clusterd.heartbeat;

import org.clusterd.util.LogLimiter;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.config.LinkConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HeartbeatTransport} over UDP: one non-blocking {@link DatagramChannel} per link, bound to the
 * link's local address, and one daemon thread per link ({@code clusterd-hb-<link>}) that receives,
 * checks each datagram with a {@link HeartbeatAcceptor} and hands the good ones to the listener.
 * Sending happens on the caller's thread and never waits for the network.
 *
 * <p>Dropped datagrams and send errors are counted in {@link #stats()} and logged at WARN, at most one
 * line per link and reason every {@value #LOG_INTERVAL_MILLIS} ms (with the number held back), so a
 * flood cannot fill the disk. The clock is read for the replay guard's skew check, for
 * {@link LinkStats#lastReceivedWallMillis()} and for the log limit, never for anything else.
 */
public final class UdpHeartbeatTransport implements HeartbeatTransport {

    private static final Logger log = LoggerFactory.getLogger(UdpHeartbeatTransport.class);

    static final long LOG_INTERVAL_MILLIS = 10_000;
    private static final long JOIN_MILLIS = 2_000;
    /** Datagrams read per wake-up before looking at the close flag again. */
    private static final int RECEIVE_BATCH = 256;
    private static final RejectReason[] REASONS = RejectReason.values();

    private enum Phase { NEW, STARTED, CLOSED }

    private final String cluster;
    private final String localNode;
    private final String peerNode;
    private final HeartbeatCodec codec;
    private final HeartbeatAcceptor acceptor;
    private final List<Link> links;
    private final Clock clock;
    private final LogLimiter logLimiter = new LogLimiter(LOG_INTERVAL_MILLIS);

    private final Object lifecycle = new Object();
    private volatile Phase phase = Phase.NEW;
    private volatile Listener listener;

    /** With the default clock skew allowance of {@link ReplayGuard#DEFAULT_MAX_CLOCK_SKEW}. */
    public UdpHeartbeatTransport(String clusterName, String localNode, String peerNode, byte[] clusterKey,
                                 List<LinkConfig> links, Clock clock) {
        this(clusterName, localNode, peerNode, clusterKey, links, clock, ReplayGuard.DEFAULT_MAX_CLOCK_SKEW);
    }

    public UdpHeartbeatTransport(String clusterName, String localNode, String peerNode, byte[] clusterKey,
                                 List<LinkConfig> links, Clock clock, Duration maxClockSkew) {
        this.cluster = Objects.requireNonNull(clusterName, "clusterName");
        this.localNode = Objects.requireNonNull(localNode, "localNode");
        this.peerNode = Objects.requireNonNull(peerNode, "peerNode");
        this.clock = Objects.requireNonNull(clock, "clock");
        HeartbeatCodec.encodedLength(clusterName, localNode, List.of()); // names must be sendable
        HeartbeatCodec.encodedLength(clusterName, peerNode, List.of());
        this.codec = new HeartbeatCodec(clusterKey);
        this.acceptor = new HeartbeatAcceptor(codec, clusterName, localNode, peerNode, maxClockSkew);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("no heartbeat links");
        }
        Set<String> names = new HashSet<>();
        for (LinkConfig link : links) {
            if (!names.add(link.name())) {
                throw new IllegalArgumentException("two heartbeat links named " + link.name());
            }
        }
        this.links = links.stream().map(Link::new).toList();
    }

    @Override
    public void start(Listener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        synchronized (lifecycle) {
            if (phase != Phase.NEW) {
                throw new IllegalStateException("heartbeat transport already " + phase);
            }
            try {
                for (Link link : links) {
                    link.open();
                }
            } catch (IOException e) {
                links.forEach(Link::closeQuietly);
                throw e;
            }
            this.listener = listener;
            phase = Phase.STARTED;
            for (Link link : links) {
                link.startThread();
            }
        }
        log.info("heartbeat {}: {} listening for {} on {}", cluster, localNode, peerNode, describeLinks());
    }

    @Override
    public void send(Heartbeat heartbeat) {
        if (phase != Phase.STARTED) {
            throw new IllegalStateException("heartbeat transport " + phase + ", cannot send");
        }
        byte[] datagram = codec.encode(heartbeat);
        for (Link link : links) {
            link.send(datagram);
        }
    }

    @Override
    public List<LinkStats> stats() {
        return links.stream().map(Link::stats).toList();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (phase == Phase.CLOSED) {
                return;
            }
            phase = Phase.CLOSED;
        }
        for (Link link : links) {
            link.wakeUp();
        }
        for (Link link : links) {
            link.awaitThread();
            link.closeQuietly();
        }
        log.info("heartbeat {}: {} stopped", cluster, localNode);
    }

    @Override
    public String toString() {
        return "UdpHeartbeatTransport[" + cluster + " " + localNode + "<->" + peerNode + " " + phase + " "
                + describeLinks() + "]";
    }

    private String describeLinks() {
        return links.stream().map(l -> l.config.name() + " " + l.local() + "->" + l.config.peer()).toList().toString();
    }

    /** One link: its channel, its receive thread, its counters. */
    private final class Link {
        final LinkConfig config;
        final String name;
        volatile DatagramChannel channel;
        volatile Selector selector;
        volatile Thread thread;
        volatile InetSocketAddress bound;

        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong sendErrors = new AtomicLong();
        final AtomicLong lastReceivedWallMillis = new AtomicLong();
        final AtomicLongArray rejected = new AtomicLongArray(REASONS.length);

        Link(LinkConfig config) {
            this.config = Objects.requireNonNull(config, "link");
            this.name = config.name();
        }

        InetSocketAddress local() {
            InetSocketAddress b = bound;
            return b != null ? b : config.local();
        }

        void open() throws IOException {
            InetSocketAddress address = config.local();
            DatagramChannel ch = null;
            try {
                ch = address.getAddress() instanceof Inet6Address
                        ? DatagramChannel.open(StandardProtocolFamily.INET6)
                        : DatagramChannel.open(StandardProtocolFamily.INET);
                ch.bind(address);
                ch.configureBlocking(false);
                Selector sel = Selector.open();
                ch.register(sel, SelectionKey.OP_READ);
                bound = (InetSocketAddress) ch.getLocalAddress();
                channel = ch;
                selector = sel;
            } catch (IOException | UnresolvedAddressException | UnsupportedAddressTypeException e) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw new IOException("heartbeat link " + name + ": cannot bind UDP " + address + ": " + e, e);
            }
        }

        void startThread() {
            Thread t = new Thread(this::receiveLoop, "clusterd-hb-" + name);
            t.setDaemon(true);
            thread = t;
            t.start();
        }

        void send(byte[] datagram) {
            DatagramChannel ch = channel;
            if (ch == null) {
                return; // closed meanwhile
            }
            try {
                if (ch.send(ByteBuffer.wrap(datagram), config.peer()) == 0) {
                    sendFailed("socket send buffer full, datagram dropped");
                } else {
                    sent.incrementAndGet();
                }
            } catch (ClosedChannelException e) {
                if (phase == Phase.STARTED) {
                    sendFailed("channel closed");
                }
            } catch (IOException | UnresolvedAddressException | UnsupportedAddressTypeException e) {
                sendFailed(e.toString());
            }
        }

        private void sendFailed(String why) {
            sendErrors.incrementAndGet();
            OptionalLong held = logLimiter.admit(name + "/send", clock.millis());
            if (held.isPresent()) {
                log.warn("heartbeat link {}: cannot send to {}: {}{}", name, config.peer(), why, heldBack(held));
            }
        }

        private void receiveLoop() {
            ByteBuffer buf = ByteBuffer.allocate(HeartbeatCodec.MAX_DATAGRAM + 1); // one more: see TOO_LONG
            DatagramChannel ch = channel;
            Selector sel = selector;
            while (phase == Phase.STARTED) {
                try {
                    sel.select();
                    sel.selectedKeys().clear();
                    for (int i = 0; i < RECEIVE_BATCH && phase == Phase.STARTED; i++) {
                        buf.clear();
                        SocketAddress from = ch.receive(buf);
                        if (from == null) {
                            break;
                        }
                        handle(from, buf.array(), buf.position());
                    }
                } catch (ClosedChannelException | ClosedSelectorException e) {
                    break;
                } catch (IOException e) {
                    OptionalLong held = logLimiter.admit(name + "/receive", clock.millis());
                    if (held.isPresent()) {
                        log.warn("heartbeat link {}: receive failed: {}{}", name, e.toString(), heldBack(held));
                    }
                }
            }
            log.debug("heartbeat link {}: receive thread ends", name);
        }

        private void handle(SocketAddress from, byte[] data, int length) {
            long now = clock.millis();
            DecodeResult result = acceptor.accept(name, data, 0, length, now);
            if (result instanceof DecodeResult.Decoded decoded) {
                received.incrementAndGet();
                lastReceivedWallMillis.set(now);
                try {
                    listener.onHeartbeat(name, decoded.heartbeat());
                } catch (RuntimeException e) {
                    OptionalLong held = logLimiter.admit(name + "/listener", now);
                    if (held.isPresent()) {
                        log.error("heartbeat link {}: listener failed{}", name, heldBack(held), e);
                    }
                }
            } else if (result instanceof DecodeResult.Rejected rejection) {
                rejected.incrementAndGet(rejection.reason().ordinal());
                OptionalLong held = logLimiter.admit(name + "/" + rejection.reason(), now);
                if (held.isPresent()) {
                    // a longer datagram was cut to the buffer: its real size is unknown
                    String size = length > HeartbeatCodec.MAX_DATAGRAM ? "over " + HeartbeatCodec.MAX_DATAGRAM
                            : Integer.toString(length);
                    log.warn("heartbeat link {}: dropped {} bytes from {}: {}: {}{}", name, size, from,
                            rejection.reason(), rejection.detail(), heldBack(held));
                }
            }
        }

        void wakeUp() {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }

        void awaitThread() {
            Thread t = thread;
            if (t == null) {
                return;
            }
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("heartbeat link {}: receive thread still busy after {} ms (a blocking listener?)",
                        name, JOIN_MILLIS);
            }
        }

        void closeQuietly() {
            for (AutoCloseable c : new AutoCloseable[] {channel, selector}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        log.debug("heartbeat link {}: closing {}: {}", name, c, e.toString());
                    }
                }
            }
            channel = null;
            selector = null;
        }

        LinkStats stats() {
            Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
            long total = 0;
            for (RejectReason reason : REASONS) {
                long n = rejected.get(reason.ordinal());
                byReason.put(reason, n);
                total += n;
            }
            return new LinkStats(name, local(), config.peer(), sent.get(), received.get(), total,
                    acceptor.lost(name), sendErrors.get(), lastReceivedWallMillis.get(), byReason);
        }
    }

    private static String heldBack(OptionalLong held) {
        return held.getAsLong() > 0 ? " (" + held.getAsLong() + " more like it not logged)" : "";
    }
}
