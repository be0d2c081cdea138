package org.clusterd.mirror;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.clusterd.config.MirrorSetConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the sending and receiving sides of mirror sessions share: configuration, stores, locks, TLS. */
final class MirrorEngine {
    private static final Logger log = LoggerFactory.getLogger(MirrorEngine.class);
    /**
     * How long either end of a session waits for the next frame: long, because the other end may be
     * scanning or hashing a large tree meanwhile; a dead peer is noticed by TCP long before.
     */
    static final int READ_TIMEOUT_MS = 30 * 60_000;

    private final String cluster;
    private final String localNode;
    private final String peerNode;
    private final Map<String, MirrorSetConfig> sets;
    private final Map<String, String> groupOf;
    private final MirrorGuard guard;
    private final ManifestStore manifests;
    private final Trash trash;
    private final Counters counters = new Counters();
    private final Consumer<MirrorEvent> events;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final SSLContext tls;
    private final InetSocketAddress peer;
    private final LongSupplier clock;
    private final int timeoutMs;

    MirrorEngine(String cluster, String localNode, String peerNode, Map<String, MirrorSetConfig> sets,
                 Map<String, String> groupOf, MirrorGuard guard, ManifestStore manifests, Trash trash,
                 Consumer<MirrorEvent> events, SSLContext tls, InetSocketAddress peer, LongSupplier clock, int timeoutMs) {
        this.cluster = cluster;
        this.localNode = localNode;
        this.peerNode = peerNode;
        this.sets = new LinkedHashMap<>(sets);
        this.groupOf = Map.copyOf(groupOf);
        this.guard = guard;
        this.manifests = manifests;
        this.trash = trash;
        this.events = events;
        this.tls = tls;
        this.peer = peer;
        this.clock = clock;
        this.timeoutMs = timeoutMs;
    }

    String cluster() {
        return cluster;
    }

    String localNode() {
        return localNode;
    }

    String peerNode() {
        return peerNode;
    }

    MirrorSetConfig set(String name) {
        return sets.get(name);
    }

    Map<String, MirrorSetConfig> sets() {
        return sets;
    }

    String groupOf(String set) {
        return groupOf.get(set);
    }

    MirrorGuard guard() {
        return guard;
    }

    ManifestStore manifests() {
        return manifests;
    }

    Trash trash() {
        return trash;
    }

    Counters counters() {
        return counters;
    }

    ReentrantLock lock(String set) {
        return locks.computeIfAbsent(set, s -> new ReentrantLock());
    }

    long now() {
        return clock.getAsLong();
    }

    int timeoutMs() {
        return timeoutMs;
    }

    /**
     * How long a pass waits for the mail system's locks on a spool: at most {@value #LOCK_TIMEOUT_MS}
     * ms, and at most a quarter of the session timeout, so the peer is not left waiting past it.
     */
    long lockTimeoutMs() {
        return Math.min(LOCK_TIMEOUT_MS, timeoutMs / 4);
    }

    static final long LOCK_TIMEOUT_MS = 10_000;

    void emit(MirrorEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            log.warn("Mirror event listener failed on {}", e, ex);
        }
    }

    Socket connect() throws IOException {
        return MirrorTls.connect(tls, peer, timeoutMs);
    }

    /** The block size of delta transfers for a file of {@code size} bytes: at most 16384 blocks. */
    static int blockSize(long size) {
        long bs = Math.max(64 * 1024, (size / 16384 + 4095) / 4096 * 4096);
        return (int) Math.min(bs, 64L << 20);
    }
}
