package org.clusterd.config;

/**
 * A host outside the cluster whose reachability tells whether this node's public network works.
 * {@code ICMP}: an echo request (InetAddress.isReachable); {@code TCP}: a TCP connect to host:port.
 */
public record PingNode(Kind kind, String host, int port) {
    public enum Kind { ICMP, TCP }

    @Override
    public String toString() {
        return kind == Kind.TCP ? "tcp:" + host + ":" + port : host;
    }
}
