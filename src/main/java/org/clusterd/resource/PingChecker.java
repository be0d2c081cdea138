package org.clusterd.resource;

import org.clusterd.config.PingNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks the ping nodes, all in parallel, whether this node's public network works.
 * ICMP: {@link InetAddress#isReachable(int)} (an echo request when running as root; otherwise the JDK
 * falls back to TCP port 7, where even "connection refused" counts as reachable). TCP: a connect to
 * host:port. A node that does not answer within the timeout, whose name does not resolve, or that
 * fails in any way counts as unreachable; the call returns within about the timeout even when a DNS
 * lookup hangs (that lookup's thread is abandoned to finish on its own). Blocking, thread-safe.
 */
public final class PingChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PingChecker.class);
    /** Slack on top of the timeout for the threads to report back. */
    private static final long GRACE_MS = 200;

    private final List<PingNode> nodes;
    private final ExecutorService pool;

    public PingChecker(List<PingNode> nodes) {
        this.nodes = List.copyOf(nodes);
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "clusterd-ping-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public List<PingNode> nodes() {
        return nodes;
    }

    /** How many ping nodes answered within {@code timeout}. */
    public int reachable(Duration timeout) {
        return (int) check(timeout).values().stream().filter(Boolean::booleanValue).count();
    }

    /** Each ping node (in the configured order) and whether it answered within {@code timeout}. */
    public Map<PingNode, Boolean> check(Duration timeout) {
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        List<Future<Boolean>> futures = new ArrayList<>();
        for (PingNode node : nodes) {
            futures.add(pool.submit(() -> ask(node, timeoutMs)));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + GRACE_MS);
        Map<PingNode, Boolean> answers = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            answers.put(nodes.get(i), await(nodes.get(i), futures.get(i), deadline));
        }
        log.debug("ping nodes: {}", answers);
        return answers;
    }

    private static boolean await(PingNode node, Future<Boolean> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            log.debug("ping node {}: no answer in time", node);
            return false;
        } catch (ExecutionException e) {
            log.debug("ping node {}: {}", node, e.getCause().toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return false;
        }
    }

    private static boolean ask(PingNode node, int timeoutMs) {
        try {
            if (node.kind() == PingNode.Kind.TCP) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(node.host(), node.port()), timeoutMs);
                    return true;
                }
            }
            return InetAddress.getByName(node.host()).isReachable(timeoutMs);
        } catch (IOException | RuntimeException e) {
            log.debug("ping node {}: {}", node, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "PingChecker" + nodes;
    }
}
