package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which TLS 1.3 suite two mirror nodes agree on, and that an AES-256-only peer still connects. */
class MirrorTlsTest {
    @TempDir
    Path tmp;

    private String negotiated(String... clientSuites) throws Exception {
        List<MirrorKeys.NodeKeys> keys = MirrorKeys.generate(tmp, List.of("alpha", "beta"));
        SSLContext alpha = MirrorTls.context(keys.get(0).keystore(), keys.get(0).truststore(), keys.get(0).passwordFile());
        SSLContext beta = MirrorTls.context(keys.get(1).keystore(), keys.get(1).truststore(), keys.get(1).passwordFile());
        try (SSLServerSocket server = MirrorTls.listen(beta, new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    return s.getSession().getCipherSuite();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            java.net.Socket raw = new java.net.Socket("127.0.0.1", server.getLocalPort());
            try (SSLSocket client = (SSLSocket) alpha.getSocketFactory().createSocket(raw, "127.0.0.1", server.getLocalPort(), true)) {
                client.setEnabledProtocols(MirrorTls.PROTOCOLS);
                client.setEnabledCipherSuites(clientSuites);
                client.startHandshake();
                String suite = client.getSession().getCipherSuite();
                assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo(suite);
                return suite;
            }
        }
    }

    @Test
    void mirrorNodesAgreeOnAes128GcmEvenWhenTheClientPrefersAes256() throws Exception {
        assertThat(negotiated("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")).isEqualTo("TLS_AES_128_GCM_SHA256");
    }

    @Test
    void aPeerOfferingOnlyAes256StillConnects() throws Exception {
        assertThat(negotiated("TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
    }
}
