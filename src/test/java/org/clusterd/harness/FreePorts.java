package org.clusterd.harness;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out ports on 127.0.0.1 that were free for both TCP and UDP when checked, and never
 * the same port twice within this JVM.
 *
 * <p>Ports are drawn at random from below the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), so that sockets bound to port 0 and
 * outgoing connections (which take ephemeral ports) cannot grab a port between the moment it
 * is handed out and the moment a test's process binds it. Does not guarantee that another
 * process on the host does not take it meanwhile.
 */
public final class FreePorts {
    /** 127.0.0.1 (never ::1, whatever the JVM prefers): all multi-process tests use it. */
    public static final InetAddress LOOPBACK = loopback();

    private static final int LOWEST = 15000;
    private static final int MAX_ATTEMPTS = 2000;
    private static final Set<Integer> handedOut = new HashSet<>();

    private FreePorts() {
    }

    /** One port free for TCP and UDP on 127.0.0.1, distinct from all handed out before. */
    public static synchronized int next() {
        int highest = highestCandidate();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (!handedOut.contains(port) && isFree(port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port found in " + MAX_ATTEMPTS + " attempts in ["
                + LOWEST + ", " + highest + "]");
    }

    /** {@code count} distinct ports, each as by {@link #next()}. */
    public static int[] next(int count) {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = next();
        }
        return ports;
    }

    /** True if TCP and UDP can both bind {@code port} on 127.0.0.1 right now. */
    public static boolean isFree(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(false);
            tcp.bind(new InetSocketAddress(LOOPBACK, port));
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                return udp.getLocalPort() == port && tcp.getLocalPort() == port;
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int highestCandidate() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            int ephemeralLow = Integer.parseInt(range[0]);
            if (ephemeralLow - 1 > LOWEST + 1000) {
                return ephemeralLow - 1;
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the conventional default
        }
        return 32767;
    }
}
