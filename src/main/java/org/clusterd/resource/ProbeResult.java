package org.clusterd.resource;

import java.util.List;
import java.util.stream.Collectors;

/** The status of every resource of a group, in the group's order. */
public record ProbeResult(String group, List<ResourceStatus> statuses) {
    public ProbeResult {
        statuses = List.copyOf(statuses);
    }

    /** True when every resource is cleanly STOPPED: nothing of the group is left on this node. */
    public boolean allStopped() {
        return statuses.stream().allMatch(s -> s.status() == ResourceAgent.Status.STOPPED);
    }

    /** True when every resource is RUNNING. */
    public boolean allRunning() {
        return statuses.stream().allMatch(s -> s.status() == ResourceAgent.Status.RUNNING);
    }

    /** The resources not cleanly stopped (RUNNING, FAILED or UNKNOWN): possibly left running unsupervised. */
    public List<ResourceStatus> notStopped() {
        return statuses.stream().filter(s -> s.status() != ResourceAgent.Status.STOPPED).toList();
    }

    @Override
    public String toString() {
        return "group " + group + ": " + statuses.stream().map(ResourceStatus::toString).collect(Collectors.joining(", "));
    }
}
