package org.clusterd.snmp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.Command;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;

/**
 * A {@link ClusterService} whose snapshot a test sets and whose events a test pushes; listeners are
 * called on a thread of their own, as the daemon does (never the caller's).
 */
final class FakeClusterService implements ClusterService, AutoCloseable {
    private volatile ClusterView view;
    private final List<Consumer<ClusterEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-cluster-events");
        t.setDaemon(true);
        return t;
    });

    FakeClusterService(ClusterView view) {
        this.view = view;
    }

    @Override
    public ClusterView view() {
        return view;
    }

    void set(ClusterView v) {
        view = v;
    }

    void update(UnaryOperator<ClusterView> change) {
        view = change.apply(view);
    }

    /** Delivers {@code e} to every listener, asynchronously. */
    void push(ClusterEvent e) {
        events.execute(() -> listeners.forEach(l -> l.accept(e)));
    }

    int listeners() {
        return listeners.size();
    }

    @Override
    public CommandResult submit(Command command, Duration timeout) {
        return new CommandResult(false, "the fake cluster takes no commands");
    }

    @Override
    public AutoCloseable subscribe(Consumer<ClusterEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        events.shutdownNow();
    }
}
