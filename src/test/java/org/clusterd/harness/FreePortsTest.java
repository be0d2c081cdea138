package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void handsOutDistinctPortsThatTcpAndUdpCanBind() throws IOException {
        int[] ports = FreePorts.next(20);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(20);
        for (int port : ports) {
            try (ServerSocket tcp = new ServerSocket();
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, port))) {
                tcp.bind(new InetSocketAddress(FreePorts.LOOPBACK, port));
                assertThat(tcp.getLocalPort()).isEqualTo(port);
                assertThat(udp.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void neverRepeatsAPortWithinTheJvm() {
        int first = FreePorts.next();
        for (int i = 0; i < 50; i++) {
            assertThat(FreePorts.next()).isNotEqualTo(first);
        }
    }

    @Test
    void aBoundPortIsNotFree() throws IOException {
        int port = FreePorts.next();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, port))) {
            assertThat(udp.isBound()).isTrue();
            assertThat(FreePorts.isFree(port)).isFalse();
        }
        assertThat(FreePorts.isFree(port)).isTrue();
    }
}
