package org.clusterd.config;

import java.util.List;

/**
 * A service group, the unit of failover: ordered resources, started in order and stopped in reverse,
 * and the mirror sets holding its data.
 */
public record GroupConfig(String name, String home, Failback failback, List<ResourceConfig> resources,
                          List<MirrorSetConfig> mirrors) {
    public enum Failback { AUTO, MANUAL }

    public GroupConfig {
        resources = List.copyOf(resources);
        mirrors = List.copyOf(mirrors);
    }
}
