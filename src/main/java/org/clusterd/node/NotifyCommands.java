package org.clusterd.node;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.config.NotifyConfig;
import org.clusterd.resource.CommandResult;
import org.clusterd.resource.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the operator's notify commands (for example one that mails the administrator) for the event
 * types they asked for. Subscribed to the {@link EventHub}, so it runs off the event loop; each
 * command has its timeout. The event comes in CLUSTERD_EVENT_* variables, and whole as JSON in
 * CLUSTERD_EVENT_JSON.
 */
final class NotifyCommands implements Consumer<ClusterEvent> {
    private static final Logger log = LoggerFactory.getLogger(NotifyCommands.class);
    private final List<NotifyConfig> notifiers;
    private final Map<String, String> nodeEnvironment;
    private final CommandRunner runner = new CommandRunner();
    private final ObjectMapper json = new ObjectMapper();

    NotifyCommands(List<NotifyConfig> notifiers, Map<String, String> nodeEnvironment) {
        this.notifiers = notifiers;
        this.nodeEnvironment = nodeEnvironment;
    }

    @Override
    public void accept(ClusterEvent event) {
        for (NotifyConfig n : notifiers) {
            if (!n.events().isEmpty() && !n.events().contains(event.type())) {
                continue;
            }
            CommandResult r = runner.run(n.command(), environment(event), Duration.ofMillis(n.timeoutMs()));
            if (!r.succeeded()) {
                log.warn("notify command '{}' for {} failed: {}", n.command(), event.type(), r.summary());
            }
        }
    }

    private Map<String, String> environment(ClusterEvent e) {
        Map<String, String> env = new LinkedHashMap<>(nodeEnvironment);
        env.put("CLUSTERD_EVENT_TYPE", e.type());
        env.put("CLUSTERD_EVENT_SEVERITY", e.severity().name());
        env.put("CLUSTERD_EVENT_NODE", e.node());
        env.put("CLUSTERD_EVENT_GROUP", e.group() == null ? "" : e.group());
        env.put("CLUSTERD_EVENT_MESSAGE", e.message());
        env.put("CLUSTERD_EVENT_TIME", Long.toString(e.time()));
        try {
            env.put("CLUSTERD_EVENT_JSON", json.writeValueAsString(Map.of("type", e.type(), "severity",
                    e.severity().name(), "node", e.node(), "group", e.group() == null ? "" : e.group(),
                    "message", e.message(), "time", e.time())));
        } catch (JsonProcessingException ex) {
            env.put("CLUSTERD_EVENT_JSON", "{}");
        }
        return env;
    }

    @Override
    public String toString() {
        return "notify commands " + notifiers.stream().map(NotifyConfig::command).toList();
    }
}
