package org.clusterd.resource;

import org.clusterd.config.GroupConfig;
import org.clusterd.config.ResourceConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the agent for a resource config.
 *
 * <p>Environment of every command: this process's environment, then (exec only) the resource's own
 * {@code environment}, then {@code extraEnv} (e.g. {@code CLUSTERD_NODE}, and {@code CLUSTERD_GROUP}
 * which {@link #forGroup} adds), then {@code CLUSTERD_RESOURCE}; later ones win.
 */
public final class ResourceAgents {
    public static final String GROUP_VAR = "CLUSTERD_GROUP";
    public static final String RESOURCE_VAR = "CLUSTERD_RESOURCE";

    private static final CommandRunner DEFAULT_RUNNER = new CommandRunner();

    /** Shared by the IP agents for their gratuitous ARPs: daemon threads, created on demand. */
    private static final ExecutorService ANNOUNCER = Executors.newCachedThreadPool(new ThreadFactoryImpl());

    private ResourceAgents() {}

    public static ResourceAgent create(ResourceConfig config, Map<String, String> extraEnv) {
        return create(config, extraEnv, DEFAULT_RUNNER);
    }

    public static ResourceAgent create(ResourceConfig config, Map<String, String> extraEnv, CommandRunner runner) {
        Map<String, String> env = new HashMap<>();
        if (config instanceof ResourceConfig.Exec exec) {
            env.putAll(exec.environment());
        }
        env.putAll(extraEnv);
        env.put(RESOURCE_VAR, config.name());
        if (config instanceof ResourceConfig.Exec exec) {
            return new ExecAgent(exec, env, runner);
        } else if (config instanceof ResourceConfig.Lsb lsb) {
            return new LsbAgent(lsb, env, runner);
        } else if (config instanceof ResourceConfig.Systemd systemd) {
            return new SystemdAgent(systemd, env, runner);
        } else if (config instanceof ResourceConfig.Ip ipConfig) {
            return new IpAgent(ipConfig, env, runner, ANNOUNCER);
        }
        throw new IllegalArgumentException("unknown resource kind: " + config);
    }

    /** The agents of a group, in the group's order, with {@code CLUSTERD_GROUP} set. */
    public static List<ResourceAgent> forGroup(GroupConfig group, Map<String, String> extraEnv, CommandRunner runner) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put(GROUP_VAR, group.name());
        return group.resources().stream().map(r -> create(r, env, runner)).toList();
    }

    private static final class ThreadFactoryImpl implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "clusterd-arp-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
