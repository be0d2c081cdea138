package org.clusterd.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.clusterd.cluster.ClusterEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event stream: every {@link ClusterEvent} is logged, kept in a bounded history and handed
 * to the subscribers (SNMP traps, JMX notifications, notify commands, the web page) on one dispatcher
 * thread, so the event loop never waits for a subscriber.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("org.clusterd.events");
    private static final int DISPATCH_QUEUE = 10_000;

    private final int historySize;
    private final Deque<ClusterEvent> history = new ArrayDeque<>();
    private final List<Consumer<ClusterEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public EventHub(int historySize) {
        this.historySize = historySize;
        this.dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(DISPATCH_QUEUE), r -> {
                    Thread t = new Thread(r, "clusterd-events");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Called on the event loop. */
    public void publish(ClusterEvent event) {
        switch (event.severity()) {
            case CRITICAL -> log.error("{} {}", event.type(), event.message());
            case WARNING -> log.warn("{} {}", event.type(), event.message());
            default -> log.info("{} {}", event.type(), event.message());
        }
        synchronized (history) {
            history.addLast(event);
            while (history.size() > historySize) {
                history.removeFirst();
            }
        }
        published.incrementAndGet();
        try {
            dispatcher.execute(() -> {
                for (Consumer<ClusterEvent> s : subscribers) {
                    try {
                        s.accept(event);
                    } catch (RuntimeException e) {
                        log.warn("event subscriber {} failed on {}: {}", s, event.type(), e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.incrementAndGet();
        }
    }

    public AutoCloseable subscribe(Consumer<ClusterEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    public List<ClusterEvent> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** Events published since start (the SNMP state-change counter). */
    public long published() {
        return published.get();
    }

    /** Events not delivered to subscribers because they lagged far behind. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        dispatcher.shutdown();
        try {
            dispatcher.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.shutdownNow();
    }
}
