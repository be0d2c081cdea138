package org.clusterd.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One resource of a group. Every kind has a name unique in its group, a timeout for each
 * start/stop/status call, and a monitor interval for the periodic status check.
 */
public sealed interface ResourceConfig {
    String name();

    long timeoutMs();

    long monitorIntervalMs();

    /** Shell commands run with /bin/sh -c; status exit 0 means running. */
    record Exec(String name, String start, String stop, String status, Map<String, String> environment,
                long timeoutMs, long monitorIntervalMs) implements ResourceConfig {
        public Exec {
            environment = Map.copyOf(environment);
        }
    }

    /** An LSB init script called with start/stop/status; status 0 running, 3 stopped (LSB 4.1). */
    record Lsb(String name, Path script, long timeoutMs, long monitorIntervalMs) implements ResourceConfig {}

    /** A systemd unit driven through systemctl start/stop/is-active. */
    record Systemd(String name, String unit, long timeoutMs, long monitorIntervalMs) implements ResourceConfig {}

    /**
     * A virtual IP: {@code address/prefix} added on {@code device} with {@code ip addr}, announced with
     * gratuitous ARP. {@code takeoverMac}, when present, is the MAC set on {@code macDevice} (a spare
     * interface) so that clients' ARP caches stay valid, as the original two-node design did.
     * {@code netns}, when present, runs the commands inside that network namespace (tests, containers).
     */
    record Ip(String name, String address, int prefix, String device, boolean gratuitousArp,
              Optional<String> takeoverMac, Optional<String> macDevice, Optional<String> netns,
              long timeoutMs, long monitorIntervalMs) implements ResourceConfig {}

    static List<String> kinds() {
        return List.of("exec", "lsb", "systemd", "ip");
    }
}
