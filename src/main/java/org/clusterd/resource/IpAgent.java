package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * A virtual IP address, driven with iproute2 ({@code ip [-n NETNS] ...}).
 *
 * <ul>
 *   <li>start: with {@code takeoverMac}, first set that MAC on {@code macDevice} (down, address, up),
 *       remembering the MAC it had; then {@code ip addr add ADDRESS/PREFIX dev DEVICE} unless the address
 *       is already there (already present counts as started); then, with {@code gratuitousArp}, announce
 *       it with {@code arping -U -c 1 -I DEVICE -S ADDRESS ADDRESS} on the background executor (arping
 *       blocks about a second and does not decide success). The announcement is also sent when the
 *       address was already present: it is harmless and refreshes clients' caches.</li>
 *   <li>stop: {@code ip addr del} unless absent (absent counts as stopped), then put back the MAC
 *       remembered at takeover, or the device's {@code permaddr} when this process did not do the
 *       takeover (daemon restarted). If neither is known and the takeover MAC is still set, stop fails:
 *       two nodes with one MAC on a LAN is not a state to leave silently.</li>
 *   <li>status: RUNNING when the address is on the device (and the takeover MAC is set, if configured);
 *       STOPPED when neither; FAILED when only one of the two; UNKNOWN when {@code ip} fails
 *       (for example the device or the namespace does not exist).</li>
 * </ul>
 * Gratuitous ARP is IPv4 only; for an IPv6 address the kernel's own unsolicited neighbour advertisement
 * on address add is relied on.
 */
public final class IpAgent implements ResourceAgent {
    private static final Logger log = LoggerFactory.getLogger(IpAgent.class);
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private final ResourceConfig.Ip config;
    private final Map<String, String> env;
    private final Duration timeout;
    private final CommandRunner runner;
    private final Executor background;
    private final String ip;
    private final String netnsExec;
    private final String device;
    private final String macDevice;
    private final Optional<String> takeoverMac;
    private final String hostPrefix;
    private final Optional<InetAddress> literal;
    private final boolean ipv6;
    /** The MAC macDevice had before this agent took it over; null when it did not (or gave it back). */
    private volatile String originalMac;

    /** {@code background}: runs the gratuitous ARP announcements (each blocks about a second). */
    public IpAgent(ResourceConfig.Ip config, Map<String, String> env, CommandRunner runner, Executor background) {
        this.config = config;
        this.env = Map.copyOf(env);
        this.timeout = Duration.ofMillis(config.timeoutMs());
        this.runner = runner;
        this.background = background;
        this.ip = config.netns().map(ns -> "ip -n " + Shell.quote(ns)).orElse("ip");
        this.netnsExec = config.netns().map(ns -> "ip netns exec " + Shell.quote(ns) + " ").orElse("");
        this.device = Shell.quote(config.device());
        this.macDevice = Shell.quote(config.macDevice().orElse(config.device()));
        this.takeoverMac = config.takeoverMac().map(m -> m.toLowerCase(Locale.ROOT));
        this.ipv6 = config.address().contains(":");
        this.hostPrefix = config.address() + (ipv6 ? "/128" : "/32");
        this.literal = parseLiteral(config.address());
    }

    @Override
    public String name() {
        return config.name();
    }

    private String where() {
        return config.address() + "/" + config.prefix() + " on " + config.device()
                + config.netns().map(ns -> " (netns " + ns + ")").orElse("");
    }

    @Override
    public Outcome start() {
        StringBuilder done = new StringBuilder();
        if (takeoverMac.isPresent()) {
            Optional<Link> link = link();
            if (link.isEmpty()) {
                return Outcome.failed("cannot read MAC of " + macDevice());
            }
            if (!link.get().mac().equals(takeoverMac.get())) {
                originalMac = link.get().mac();
                CommandResult r = setMac(takeoverMac.get());
                if (!r.succeeded()) {
                    return Outcome.failed("MAC takeover " + takeoverMac.get() + " on " + macDevice()
                            + " failed: " + r.summary());
                }
                done.append("took over MAC ").append(takeoverMac.get()).append(" on ").append(macDevice())
                        .append(" (was ").append(originalMac).append("); ");
            }
        }
        Optional<Boolean> present = addressPresent();
        if (present.isEmpty()) {
            return Outcome.failed(done + "cannot read addresses for " + where());
        }
        if (present.get()) {
            done.append(where()).append(" already present");
        } else {
            CommandResult r = run(ip + " addr add " + Shell.quote(config.address() + "/" + config.prefix())
                    + " dev " + device);
            if (!r.succeeded() && !addressPresent().orElse(false)) {
                return Outcome.failed(done + "adding " + where() + " failed: " + r.summary());
            }
            done.append("added ").append(where());
        }
        if (config.gratuitousArp()) {
            announce();
            done.append(ipv6 ? "" : ", gratuitous ARP sent in background");
        }
        return Outcome.ok(done.toString());
    }

    @Override
    public Outcome stop() {
        StringBuilder done = new StringBuilder();
        Optional<Boolean> present = addressPresent();
        if (present.isPresent() && !present.get()) {
            done.append(where()).append(" already absent");
        } else {
            CommandResult r = run(ip + " addr del " + Shell.quote(config.address() + "/" + config.prefix())
                    + " dev " + device);
            Optional<Boolean> after = r.succeeded() ? Optional.of(false) : addressPresent();
            if (after.isEmpty() || after.get()) {
                return Outcome.failed("removing " + where() + " failed: " + r.summary());
            }
            done.append("removed ").append(where());
        }
        if (takeoverMac.isPresent()) {
            Optional<Link> link = link();
            if (link.isEmpty()) {
                return Outcome.failed(done + "; cannot read MAC of " + macDevice());
            }
            if (link.get().mac().equals(takeoverMac.get())) {
                String restore = originalMac != null ? originalMac : link.get().permanentMac();
                if (restore == null) {
                    return Outcome.failed(done + "; MAC " + takeoverMac.get() + " still set on " + macDevice()
                            + " and its original MAC is unknown");
                }
                CommandResult r = setMac(restore);
                if (!r.succeeded()) {
                    return Outcome.failed(done + "; restoring MAC " + restore + " on " + macDevice()
                            + " failed: " + r.summary());
                }
                done.append("; restored MAC ").append(restore).append(" on ").append(macDevice());
            }
            originalMac = null;
        }
        return Outcome.ok(done.toString());
    }

    @Override
    public Status status() {
        Optional<Boolean> present = addressPresent();
        if (present.isEmpty()) {
            return Status.UNKNOWN;
        }
        if (takeoverMac.isEmpty()) {
            return present.get() ? Status.RUNNING : Status.STOPPED;
        }
        Optional<Link> link = link();
        if (link.isEmpty()) {
            return Status.UNKNOWN;
        }
        boolean taken = link.get().mac().equals(takeoverMac.get());
        if (present.get() && taken) {
            return Status.RUNNING;
        }
        return !present.get() && !taken ? Status.STOPPED : Status.FAILED;
    }

    /** Whether the address is on the device; empty when ip fails. */
    private Optional<Boolean> addressPresent() {
        CommandResult r = run(ip + " -o addr show dev " + device + " to " + Shell.quote(hostPrefix));
        if (!r.succeeded()) {
            log.warn("resource {}: cannot list addresses for {}: {}", name(), where(), r.summary());
            return Optional.empty();
        }
        return Optional.of(listsAddress(r.output()));
    }

    /** True when an {@code ip -o addr} listing has an {@code inet}/{@code inet6} entry for our address. */
    boolean listsAddress(String listing) {
        for (String line : listing.split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if ((words[i].equals("inet") || words[i].equals("inet6")) && sameAddress(words[i + 1])) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean sameAddress(String withPrefix) {
        int slash = withPrefix.indexOf('/');
        String addr = slash < 0 ? withPrefix : withPrefix.substring(0, slash);
        if (addr.equalsIgnoreCase(config.address())) {
            return true;
        }
        Optional<InetAddress> other = parseLiteral(addr);
        return literal.isPresent() && other.isPresent() && literal.get().equals(other.get());
    }

    /** Parses an IP literal without ever asking DNS; empty when it is not one. */
    private static Optional<InetAddress> parseLiteral(String text) {
        if (!IPV4.matcher(text).matches() && !(text.contains(":") && text.matches("[0-9A-Fa-f:.]+"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    record Link(String mac, String permanentMac) {}

    private String macDevice() {
        return config.macDevice().orElse(config.device());
    }

    /** The current and (when the kernel reports it) permanent MAC of macDevice; empty when ip fails. */
    private Optional<Link> link() {
        CommandResult r = run(ip + " -o link show dev " + macDevice);
        if (!r.succeeded()) {
            log.warn("resource {}: cannot read link {}: {}", name(), macDevice(), r.summary());
            return Optional.empty();
        }
        Optional<Link> link = parseLink(r.output());
        if (link.isEmpty()) {
            log.warn("resource {}: no MAC in the listing of {}: {}", name(), macDevice(), r.summary());
        }
        return link;
    }

    static Optional<Link> parseLink(String listing) {
        String[] words = listing.trim().split("\\s+");
        String mac = null;
        String perm = null;
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].startsWith("link/") && mac == null) {
                mac = words[i + 1].toLowerCase(Locale.ROOT);
            } else if (words[i].equals("permaddr")) {
                perm = words[i + 1].toLowerCase(Locale.ROOT);
            }
        }
        return mac == null ? Optional.empty() : Optional.of(new Link(mac, perm));
    }

    private CommandResult setMac(String mac) {
        String set = ip + " link set dev " + macDevice;
        return run(set + " down && " + set + " address " + Shell.quote(mac) + "; rc=$?; "
                + set + " up || rc=1; exit $rc");
    }

    /** Sends one unsolicited ARP for the address, on the background executor; the result is only logged. */
    private void announce() {
        if (ipv6) {
            log.debug("resource {}: no gratuitous ARP for IPv6 address {}", name(), config.address());
            return;
        }
        String addr = Shell.quote(config.address());
        String cmd = netnsExec + "arping -U -c 1 -I " + device + " -S " + addr + " " + addr;
        Runnable send = () -> {
            CommandResult r = run(cmd);
            // arping exits 1 when nobody replies, which is normal for an unsolicited announcement
            if (r.timedOut() || (r.exitCode() != 0 && r.exitCode() != 1)) {
                log.warn("resource {}: gratuitous ARP for {} failed (clients may keep the old MAC for "
                        + "tens of seconds): {}", name(), where(), r.summary());
            } else {
                log.debug("resource {}: gratuitous ARP for {} sent: {}", name(), where(), r.summary());
            }
        };
        try {
            background.execute(send);
        } catch (RejectedExecutionException e) {
            log.warn("resource {}: background executor refused the gratuitous ARP; sending inline", name());
            send.run();
        }
    }

    private CommandResult run(String command) {
        return runner.run(command, env, timeout);
    }

    @Override
    public String toString() {
        return "IpAgent[" + name() + ": " + where() + "]";
    }
}
