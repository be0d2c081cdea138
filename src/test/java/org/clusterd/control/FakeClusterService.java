package org.clusterd.control;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.Command;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;

/** Serves a fixed view, records every submitted command and answers it with a settable rule. */
public final class FakeClusterService implements ClusterService {
    private final ClusterView view;
    private final List<Command> submitted = new CopyOnWriteArrayList<>();
    private volatile Function<Command, CommandResult> answer = c -> new CommandResult(true, "ok: " + c);

    public FakeClusterService(ClusterView view) {
        this.view = view;
    }

    /** How later commands are answered (it may throw, to play a failing daemon). */
    public FakeClusterService answering(Function<Command, CommandResult> rule) {
        this.answer = rule;
        return this;
    }

    public List<Command> submitted() {
        return List.copyOf(submitted);
    }

    @Override
    public ClusterView view() {
        return view;
    }

    @Override
    public CommandResult submit(Command command, Duration timeout) {
        submitted.add(command);
        return answer.apply(command);
    }

    @Override
    public AutoCloseable subscribe(Consumer<ClusterEvent> listener) {
        return () -> { };
    }
}
