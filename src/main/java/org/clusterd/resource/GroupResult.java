package org.clusterd.resource;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of starting or stopping a group. It succeeded when no resource failed.
 * A start failure lists the resource that failed to start and any resource that then failed to stop
 * during the rollback; {@link #stopFailed()} tells whether any resource may have been left running.
 */
public record GroupResult(String group, Op op, List<Failure> failures, long elapsedMs) {
    public enum Op { START, STOP }

    /** One resource that failed to start or to stop, with the agent's detail (command output). */
    public record Failure(String resource, Op op, String detail) {
        @Override
        public String toString() {
            return resource + " " + op.name().toLowerCase() + ": " + detail;
        }
    }

    public GroupResult {
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    /** True when some resource failed to stop (also during a start's rollback): grave, see rule 9. */
    public boolean stopFailed() {
        return failures.stream().anyMatch(f -> f.op() == Op.STOP);
    }

    /** The names of the failed resources, in the order they failed. */
    public List<String> failedResources() {
        return failures.stream().map(Failure::resource).toList();
    }

    @Override
    public String toString() {
        String head = "group " + group + " " + op.name().toLowerCase() + (ok() ? " ok" : " FAILED")
                + " in " + elapsedMs + " ms";
        return ok() ? head : head + ": " + failures.stream().map(Failure::toString).collect(Collectors.joining("; "));
    }
}
