package org.clusterd.config;

import java.util.Set;

/**
 * A command run (off the event loop, with a timeout) for each cluster event whose type is in
 * {@code events} (empty set: every event). The event is passed in CLUSTERD_EVENT_* environment
 * variables and as JSON on standard input.
 */
public record NotifyConfig(Set<String> events, String command, long timeoutMs) {
    public NotifyConfig {
        events = Set.copyOf(events);
    }
}
