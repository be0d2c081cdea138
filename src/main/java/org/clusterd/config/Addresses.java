package org.clusterd.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing of the address forms the file uses. Pure except for {@link #hostPort}, which asks a
 * {@link HostResolver} about host names. Address literals are parsed strictly and locally (no DNS):
 * IPv4 as four decimal numbers 0..255 without leading zeros, IPv6 in standard notation, written in
 * brackets when followed by a port. Every method reports a bad value by throwing an
 * {@link IllegalArgumentException} whose message is the operator-readable reason.
 */
final class Addresses {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]{1,32})?");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    private Addresses() {}

    /** An address prefix such as {@code 192.168.1.20/24} (prefix optional: the whole address). */
    record Cidr(InetAddress address, String text, int prefix) {}

    /** Whether {@code s} is written as an IP address literal (it may still be a bad one). */
    static boolean looksLikeLiteral(String s) {
        return s.contains(":") || s.matches("[0-9.]+");
    }

    /** Parses an IPv4 or (unbracketed) IPv6 literal without any lookup. */
    static InetAddress literal(String s) {
        if (s.contains(":")) {
            if (!IPV6.matcher(s).matches()) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address");
            }
            try {
                // the brackets make InetAddress treat it strictly as an IPv6 literal: no lookup
                return InetAddress.getByName("[" + s + "]");
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address", e);
            }
        }
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (expected four numbers 0..255 like 192.168.1.10)");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = m.group(i + 1);
            int v = Integer.parseInt(part);
            if (v > 255 || (part.length() > 1 && part.startsWith("0"))) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (each part 0..255, no leading zeros)");
            }
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid IPv4 address
        }
    }

    /** Whether {@code s} is a syntactically valid DNS host name (RFC 1123; the last label not all digits). */
    static boolean isHostName(String s) {
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].matches("\\d+");
    }

    /** Checks a host (name or literal) without resolving it; returns it without brackets. */
    static String host(String s) {
        String h = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (looksLikeLiteral(h)) {
            literal(h);
        } else if (!isHostName(h)) {
            throw new IllegalArgumentException("'" + s + "' is neither an IP address nor a valid host name");
        }
        return h;
    }

    /** Splits {@code host:port} / {@code [v6]:port}; returns {host-without-brackets, port}. */
    static String[] splitHostPort(String text) {
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' is not [IPv6-address]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': brackets are only for IPv6 addresses");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port; expected host:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, as [address]:port");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host; expected host:port");
        }
        return new String[] {host, String.valueOf(port(port, text))};
    }

    private static int port(String port, String text) {
        if (!PORT.matcher(port).matches()) {
            throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + p + " is out of range 1..65535");
        }
        return p;
    }

    /** Parses and resolves {@code host:port}, {@code [v6]:port} or {@code hostname:port}. */
    static InetSocketAddress hostPort(String text, HostResolver resolver) {
        String[] hp = splitHostPort(text);
        String host = hp[0];
        int port = Integer.parseInt(hp[1]);
        if (looksLikeLiteral(host)) {
            return new InetSocketAddress(literal(host), port);
        }
        if (!isHostName(host)) {
            throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a valid host name");
        }
        try {
            return new InetSocketAddress(resolver.resolve(host), port);
        } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
            throw new IllegalArgumentException("cannot resolve host name '" + host + "'", e);
        }
    }

    /** Parses {@code address[/prefix]}: IPv4 prefix 0..32 (default 32), IPv6 0..128 (default 128). */
    static Cidr cidr(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (!looksLikeLiteral(addr) || addr.contains("%")) {
            throw new IllegalArgumentException("'" + addr + "' is not an IP address");
        }
        InetAddress a = literal(addr);
        int max = a instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("'" + text + "': prefix '" + p + "' must be a number 0.." + max);
            }
            prefix = Integer.parseInt(p);
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw new IllegalArgumentException("'" + addr + "' cannot be a service address (wildcard or multicast)");
        }
        return new Cidr(a, addr, prefix);
    }

    /** Parses a unicast MAC address {@code 02:00:00:00:00:01}; returns it in lower case. */
    static String mac(String text) {
        String s = text.strip();
        if (!MAC.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (expected six hex pairs like 02:00:00:00:00:01)");
        }
        int first = Integer.parseInt(s.substring(0, 2), 16);
        if ((first & 1) != 0) {
            throw new IllegalArgumentException("'" + text + "' is a multicast MAC address; an interface needs a unicast one");
        }
        if (s.equals("00:00:00:00:00:00")) {
            throw new IllegalArgumentException("'" + text + "' is the all-zero MAC address");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a ping node: {@code tcp:HOST:PORT} (TCP connect), {@code icmp:HOST} or a bare
     * {@code HOST} (ICMP echo). The host is checked but not resolved: it is looked up at ping time.
     */
    static PingNode pingNode(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tcp:")) {
            String[] hp = splitHostPort(s.substring(4));
            return new PingNode(PingNode.Kind.TCP, host(hp[0]), Integer.parseInt(hp[1]));
        }
        String h = lower.startsWith("icmp:") ? s.substring(5) : s;
        try {
            return new PingNode(PingNode.Kind.ICMP, host(h), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; write HOST for ICMP echo or tcp:HOST:PORT for a TCP connect", e);
        }
    }

    /** Whether two sockets could collide: same port and the same host or either one a wildcard. */
    static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && (a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress()
                || a.getAddress().equals(b.getAddress()));
    }
}
