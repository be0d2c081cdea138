package org.clusterd.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SNMP agent of one node (the {@code snmp:} section): where it listens, who may read it, and where
 * notifications go. Secrets (the v2c community, the v3 passphrases) come from files readable only by
 * the daemon's user; they are never printed by {@code toString}.
 *
 * <pre>
 * snmp:
 *   listen: 192.168.1.11:161                # the node's management address (not a virtual IP)
 *   source: 192.168.1.11                    # notifications leave from here (default: the listen address)
 *   communityFile: /etc/clusterd/snmp.community   # optional: read-only SNMPv2c with this community
 *   users:                                  # SNMPv3 users, read-only, authPriv (AES-128 privacy)
 *     - name: nms
 *       auth: SHA-256                       # SHA-224, SHA-256 (default), SHA-384, SHA-512
 *       authPassphraseFile: /etc/clusterd/snmp-nms.auth
 *       privPassphraseFile: /etc/clusterd/snmp-nms.priv
 *   trapTargets:
 *     - address: 192.168.1.50:162           # v2c trap with the agent's community
 *     - address: 192.168.1.51:162
 *       version: v3                         # v3 inform (acknowledged, retried) as user nms
 *       user: nms
 * </pre>
 *
 * @param listen      UDP address the agent binds (port 0 only when built in code, for tests)
 * @param source      address notifications are sent from and carried in {@code snmpTrapAddress.0};
 *                    empty only when the agent listens on a wildcard address and sends no notifications
 * @param community   the read-only v2c community; empty: v2c is off
 * @param users       SNMPv3 users (read-only)
 * @param trapTargets where notifications go
 * @param engineFile  where the SNMP engine ID and boot counter are kept; empty: a new engine ID each start
 */
public record SnmpConfig(
        InetSocketAddress listen,
        Optional<InetAddress> source,
        Optional<String> community,
        List<User> users,
        List<TrapTarget> trapTargets,
        Optional<Path> engineFile) {

    public SnmpConfig {
        Objects.requireNonNull(listen, "listen");
        users = List.copyOf(users);
        trapTargets = List.copyOf(trapTargets);
    }

    public Optional<User> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /** {@code udp:HOST:PORT} ({@code udp:[v6]:PORT}) of an address. */
    public static String endpoint(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (a.getAddress() instanceof Inet6Address || host.contains(":")) {
            int pct = host.indexOf('%');
            host = "[" + (pct >= 0 ? host.substring(0, pct) : host) + "]";
        }
        return "udp:" + host + ":" + a.getPort();
    }

    @Override
    public String toString() {
        return "SnmpConfig[listen=" + endpoint(listen) + " source=" + source.map(InetAddress::getHostAddress).orElse("-")
                + " v2c=" + community.isPresent() + " users=" + users.stream().map(User::name).toList()
                + " trapTargets=" + trapTargets + "]";
    }

    /** HMAC-SHA-2 authentication protocols, by their net-snmp names. */
    public enum AuthProtocol {
        SHA_224("SHA-224"), SHA_256("SHA-256"), SHA_384("SHA-384"), SHA_512("SHA-512");

        private final String text;

        AuthProtocol(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The protocol named {@code text}, or empty. */
        public static Optional<AuthProtocol> parse(String text) {
            for (AuthProtocol p : values()) {
                if (p.text.equalsIgnoreCase(text)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** An SNMPv3 USM user with authentication and AES-128 privacy (authPriv), read-only. */
    public record User(String name, AuthProtocol auth, String authPassphrase, String privPassphrase) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(authPassphrase, "authPassphrase");
            Objects.requireNonNull(privPassphrase, "privPassphrase");
        }

        @Override
        public String toString() {
            return "User[" + name + " " + auth.text() + "/AES-128]";
        }
    }

    public enum Version { V2C, V3 }

    /**
     * One notification receiver. A v2c target gets traps (or informs) with {@code community}; a v3
     * target gets informs (or traps) as {@code user}, one of {@link SnmpConfig#users()}.
     *
     * @param inform    informs (acknowledged, retried {@code retries} times, {@code timeoutMs} each)
     *                  rather than traps
     */
    public record TrapTarget(InetSocketAddress address, Version version, boolean inform, Optional<String> community,
                             Optional<String> user, long timeoutMs, int retries) {
        public TrapTarget {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(version, "version");
            if (version == Version.V2C && community.isEmpty()) {
                throw new IllegalArgumentException("a v2c target needs a community");
            }
            if (version == Version.V3 && user.isEmpty()) {
                throw new IllegalArgumentException("a v3 target needs a user");
            }
        }

        public String endpoint() {
            return SnmpConfig.endpoint(address);
        }

        @Override
        public String toString() {
            return "TrapTarget[" + endpoint() + " " + version.name().toLowerCase(java.util.Locale.ROOT)
                    + (inform ? " inform" : " trap") + user.map(u -> " user=" + u).orElse("") + "]";
        }
    }
}
