package org.clusterd.config;

import java.util.List;

/** A service group, the unit of failover: ordered resources, started in order and stopped in reverse. */
public record GroupConfig(String name, String home, Failback failback, List<ResourceConfig> resources) {
    public enum Failback { AUTO, MANUAL }

    public GroupConfig {
        resources = List.copyOf(resources);
    }
}
