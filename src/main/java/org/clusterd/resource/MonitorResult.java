package org.clusterd.resource;

import java.util.Optional;

/** A periodic check of a group: ok, or the first resource (in group order) that is not RUNNING. */
public record MonitorResult(String group, Optional<ResourceStatus> firstNotRunning) {
    public static MonitorResult ok(String group) {
        return new MonitorResult(group, Optional.empty());
    }

    public boolean ok() {
        return firstNotRunning.isEmpty();
    }

    @Override
    public String toString() {
        return "group " + group + ": " + firstNotRunning.map(s -> s.resource() + " is " + s.status())
                .orElse("all running");
    }
}
