package org.clusterd.resource;

import org.clusterd.config.GroupConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts, stops, probes and checks the resources of one group. Blocking; calls on one runner are
 * serialised (a check never runs in the middle of a stop).
 *
 * <ul>
 *   <li>{@link #start()}: in order. When one fails, the failed one and then every one started before it
 *       are stopped, in reverse order (the failed one may be half-started; stopping a stopped resource
 *       is a no-op). The result names the failed resource, plus any resource that failed to stop during
 *       that rollback.</li>
 *   <li>{@link #stop()}: in reverse order, going on past failures; the result names every resource
 *       that failed to stop.</li>
 *   <li>{@link #probe()}: the status of every resource.</li>
 *   <li>{@link #check()}: the first resource, in order, that is not RUNNING; later ones are not asked.</li>
 * </ul>
 */
public final class GroupRunner {
    private static final Logger log = LoggerFactory.getLogger(GroupRunner.class);

    private final String group;
    private final List<ResourceAgent> agents;

    /** Agents built by {@link ResourceAgents#forGroup} with the default command runner. */
    public GroupRunner(GroupConfig group, Map<String, String> extraEnv) {
        this(group, extraEnv, new CommandRunner());
    }

    public GroupRunner(GroupConfig group, Map<String, String> extraEnv, CommandRunner runner) {
        this(group.name(), ResourceAgents.forGroup(group, extraEnv, runner));
    }

    /** {@code agents} in start order. */
    public GroupRunner(String group, List<ResourceAgent> agents) {
        this.group = group;
        this.agents = List.copyOf(agents);
    }

    public String group() {
        return group;
    }

    /** The resource names in start order. */
    public List<String> resources() {
        return agents.stream().map(ResourceAgent::name).toList();
    }

    public synchronized GroupResult start() {
        long t0 = System.nanoTime();
        log.info("group {}: starting {}", group, resources());
        for (int i = 0; i < agents.size(); i++) {
            ResourceAgent agent = agents.get(i);
            ResourceAgent.Outcome outcome = timed(agent, GroupResult.Op.START);
            if (!outcome.ok()) {
                List<GroupResult.Failure> failures = new ArrayList<>();
                failures.add(new GroupResult.Failure(agent.name(), GroupResult.Op.START, outcome.detail()));
                log.warn("group {}: rolling back: stopping {}", group,
                        reversed(resources().subList(0, i + 1)));
                for (int j = i; j >= 0; j--) {
                    stopOne(agents.get(j), failures);
                }
                return done(new GroupResult(group, GroupResult.Op.START, failures, elapsedMs(t0)));
            }
        }
        return done(new GroupResult(group, GroupResult.Op.START, List.of(), elapsedMs(t0)));
    }

    public synchronized GroupResult stop() {
        long t0 = System.nanoTime();
        log.info("group {}: stopping {}", group, reversed(resources()));
        List<GroupResult.Failure> failures = new ArrayList<>();
        for (int j = agents.size() - 1; j >= 0; j--) {
            stopOne(agents.get(j), failures);
        }
        return done(new GroupResult(group, GroupResult.Op.STOP, failures, elapsedMs(t0)));
    }

    public synchronized ProbeResult probe() {
        List<ResourceStatus> statuses = new ArrayList<>();
        for (ResourceAgent agent : agents) {
            statuses.add(new ResourceStatus(agent.name(), status(agent)));
        }
        ProbeResult result = new ProbeResult(group, statuses);
        log.info("probe: {}", result);
        return result;
    }

    public synchronized MonitorResult check() {
        for (ResourceAgent agent : agents) {
            ResourceAgent.Status status = status(agent);
            if (status != ResourceAgent.Status.RUNNING) {
                MonitorResult result = new MonitorResult(group, Optional.of(
                        new ResourceStatus(agent.name(), status)));
                log.warn("monitor: {}", result);
                return result;
            }
        }
        log.debug("monitor: group {}: all running", group);
        return MonitorResult.ok(group);
    }

    private ResourceAgent.Status status(ResourceAgent agent) {
        try {
            return agent.status();
        } catch (RuntimeException e) {
            log.error("group {}: resource {} threw on status", group, agent.name(), e);
            return ResourceAgent.Status.UNKNOWN;
        }
    }

    private static List<String> reversed(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private void stopOne(ResourceAgent agent, List<GroupResult.Failure> failures) {
        ResourceAgent.Outcome outcome = timed(agent, GroupResult.Op.STOP);
        if (!outcome.ok()) {
            failures.add(new GroupResult.Failure(agent.name(), GroupResult.Op.STOP, outcome.detail()));
        }
    }

    private ResourceAgent.Outcome timed(ResourceAgent agent, GroupResult.Op op) {
        long t0 = System.nanoTime();
        ResourceAgent.Outcome outcome;
        try {
            outcome = op == GroupResult.Op.START ? agent.start() : agent.stop();
        } catch (RuntimeException e) {
            // an agent must not throw; if one does, its resource is in an unknown state: a failure
            log.error("group {}: resource {} threw on {}", group, agent.name(), op, e);
            outcome = ResourceAgent.Outcome.failed("agent threw " + e);
        }
        String verb = op == GroupResult.Op.START ? "start" : "stop";
        if (outcome.ok()) {
            log.info("group {}: {} {} ok in {} ms: {}", group, verb, agent.name(), elapsedMs(t0), outcome.detail());
        } else {
            log.warn("group {}: {} {} FAILED in {} ms: {}", group, verb, agent.name(), elapsedMs(t0), outcome.detail());
        }
        return outcome;
    }

    private static GroupResult done(GroupResult result) {
        if (result.ok()) {
            log.info("{}", result);
        } else {
            log.warn("{}", result);
        }
        return result;
    }

    private static long elapsedMs(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Override
    public String toString() {
        return "GroupRunner[" + group + ": " + resources() + "]";
    }
}
