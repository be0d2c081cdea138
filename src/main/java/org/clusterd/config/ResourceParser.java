package org.clusterd.config;

import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads one entry of a group's {@code resources} list into a {@link ResourceConfig}. The entry's
 * {@code type} decides which keys are allowed; keys of another type are rejected as unknown.
 */
final class ResourceParser {
    static final long DEFAULT_TIMEOUT_MS = 30_000;

    private static final List<String> COMMON = List.of("type", "name", "timeout", "monitorInterval");
    private static final Map<String, List<String>> KEYS = Map.of(
            "exec", with("start", "stop", "status", "environment"),
            "lsb", with("script"),
            "systemd", with("unit"),
            "ip", with("address", "device", "gratuitousArp", "takeoverMac", "macDevice", "netns"));
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.\\\\@-]{1,255}");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Path baseDir;
    private final long defaultMonitorMs;

    ResourceParser(Path baseDir, long defaultMonitorMs) {
        this.baseDir = baseDir;
        this.defaultMonitorMs = defaultMonitorMs;
    }

    private static List<String> with(String... keys) {
        List<String> all = new ArrayList<>(COMMON);
        all.addAll(List.of(keys));
        return List.copyOf(all);
    }

    /**
     * Reads one resource. {@code namesInGroup} holds the names used so far in its group and
     * {@code addresses} the virtual IPs used so far in any group: both must stay unique.
     */
    ResourceConfig parse(ConfigNode item, Map<String, ConfigNode> namesInGroup, Map<InetAddress, ConfigNode> addresses)
            throws ConfigException {
        ConfigNode typeNode = item.openMap().get("type");
        if (typeNode == null) {
            throw new ConfigException(item.file(), item.headLine(), item.childPath("type"),
                    "required key 'type' is missing; it is one of " + String.join(", ", ResourceConfig.kinds()));
        }
        String type = typeNode.string().strip();
        if (!KEYS.containsKey(type)) {
            throw typeNode.error("unknown resource type '" + type + "'; it is one of " + String.join(", ", ResourceConfig.kinds()));
        }
        ConfigMap m = item.map(KEYS.get(type));
        String name = m.required("name").uniqueName(namesInGroup, "resource");
        long timeout = m.optional("timeout").isPresent() ? m.required("timeout").positiveDuration() : DEFAULT_TIMEOUT_MS;
        long monitor = m.optional("monitorInterval").isPresent()
                ? m.required("monitorInterval").positiveDuration() : defaultMonitorMs;
        return switch (type) {
            case "exec" -> new ResourceConfig.Exec(name, m.required("start").nonBlank(), m.required("stop").nonBlank(),
                    m.required("status").nonBlank(), environment(m.optional("environment")), timeout, monitor);
            case "lsb" -> new ResourceConfig.Lsb(name, script(m.required("script")), timeout, monitor);
            case "systemd" -> new ResourceConfig.Systemd(name, unit(m.required("unit")), timeout, monitor);
            case "ip" -> ip(m, name, timeout, monitor, addresses);
            default -> throw new AssertionError(type);
        };
    }

    private static Map<String, String> environment(Optional<ConfigNode> node) throws ConfigException {
        if (node.isEmpty()) {
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : node.get().openMap().entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw e.getValue().error("'" + e.getKey() + "' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            env.put(e.getKey(), e.getValue().string());
        }
        return env;
    }

    private Path script(ConfigNode node) throws ConfigException {
        String s = node.nonBlank().strip();
        Path p;
        try {
            p = baseDir.resolve(s).normalize();
        } catch (InvalidPathException e) {
            throw node.error("'" + s + "' is not a valid path: " + e.getReason());
        }
        if (!p.isAbsolute()) {
            throw node.error("'" + s + "' must be an absolute path");
        }
        return p;
    }

    private static String unit(ConfigNode node) throws ConfigException {
        String u = node.string().strip();
        if (!UNIT.matcher(u).matches() || u.startsWith("-")) {
            throw node.error("'" + u + "' is not a systemd unit name (like dovecot.service)");
        }
        return u;
    }

    private static String device(ConfigNode node) throws ConfigException {
        String d = node.string().strip();
        if (!DEVICE.matcher(d).matches() || d.startsWith("-") || d.equals(".") || d.equals("..")) {
            throw node.error("'" + d + "' is not a network interface name (1 to 15 of A-Z a-z 0-9 _ . -)");
        }
        return d;
    }

    private static ResourceConfig.Ip ip(ConfigMap m, String name, long timeout, long monitor,
            Map<InetAddress, ConfigNode> addresses) throws ConfigException {
        ConfigNode addressNode = m.required("address");
        Addresses.Cidr cidr = addressNode.parse(Addresses::cidr);
        ConfigNode first = addresses.putIfAbsent(cidr.address(), addressNode);
        if (first != null) {
            throw addressNode.error("address " + cidr.text() + " is already used by " + first.path() + " (line " + first.line() + ")");
        }
        String device = device(m.required("device"));
        boolean garp = m.optional("gratuitousArp").isPresent() ? m.required("gratuitousArp").bool() : true;
        Optional<String> mac = Optional.empty();
        Optional<String> macDevice = Optional.empty();
        if (m.has("takeoverMac")) {
            ConfigNode macNode = m.required("takeoverMac");
            mac = Optional.of(macNode.parse(Addresses::mac));
            if (!m.has("macDevice")) {
                throw macNode.error("takeoverMac needs macDevice, the spare interface to set the MAC address on");
            }
            macDevice = Optional.of(device(m.required("macDevice")));
        } else if (m.has("macDevice")) {
            throw m.required("macDevice").error("macDevice is only used together with takeoverMac");
        }
        Optional<String> netns = Optional.empty();
        if (m.has("netns")) {
            ConfigNode n = m.required("netns");
            String ns = n.string().strip();
            if (!NETNS.matcher(ns).matches() || ns.startsWith("-") || ns.equals(".") || ns.equals("..")) {
                throw n.error("'" + ns + "' is not a network namespace name (1 to 64 of A-Z a-z 0-9 _ . -)");
            }
            netns = Optional.of(ns);
        }
        return new ResourceConfig.Ip(name, cidr.text(), cidr.prefix(), device, garp, mac, macDevice, netns, timeout, monitor);
    }
}
