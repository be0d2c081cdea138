package org.clusterd.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS 1.3 for the mirror channel, from the JDK alone: this node's key and certificate in a
 * PKCS12 keystore, the certificates it trusts (its peer's) in a PKCS12 truststore, both opened with
 * the password in a private file. The server requires a client certificate; no other protocol
 * version is enabled. Peers are authenticated by the truststore, not by host name. The cipher code
 * is AWS-LC's where it loads ({@link MirrorCrypto}).
 */
public final class MirrorTls {
    static final String[] PROTOCOLS = {"TLSv1.3"};
    /**
     * TLS 1.3's AES-GCM suites, the 128-bit key first: it carried a quarter more bytes per second
     * through this JDK's intrinsics than the 256-bit key (829 against 661 MB/s over loopback), and
     * the mirror moves whole trees through it. Either key size is a standard TLS 1.3 suite; ChaCha20
     * is left out because this JDK has no intrinsic for it (133 MB/s). A peer offering only AES-256
     * still connects.
     */
    static final String[] SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};

    private MirrorTls() {}

    /** Reads a password file (its first line); it must be private to its owner. */
    public static char[] password(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        for (PosixFilePermission p : perms) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IOException("password file " + file + " is accessible by group or others; run: chmod 600 " + file);
            }
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).toCharArray();
    }

    public static SSLContext context(Path keystore, Path truststore, Path passwordFile) throws IOException {
        char[] pass = password(passwordFile);
        MirrorCrypto.install();
        try {
            KeyStore ks = load(keystore, pass);
            KeyStore ts = load(truststore, pass);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up mirror TLS from " + keystore + " and " + truststore + ": " + e, e);
        }
    }

    private static KeyStore load(Path file, char[] pass) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, pass);
        }
        return ks;
    }

    public static SSLServerSocket listen(SSLContext ctx, InetSocketAddress address) throws IOException {
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 16);
        s.setEnabledProtocols(PROTOCOLS);
        s.setEnabledCipherSuites(SUITES);
        SSLParameters params = s.getSSLParameters();
        params.setUseCipherSuitesOrder(true); // the order above, not the client's
        s.setSSLParameters(params);
        s.setNeedClientAuth(true);
        return s;
    }

    public static SSLSocket connect(SSLContext ctx, InetSocketAddress address, int timeoutMs) throws IOException {
        java.net.Socket raw = new java.net.Socket();
        try {
            raw.connect(address, timeoutMs);
            raw.setTcpNoDelay(true); // see MirrorService.session
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, address.getHostString(), address.getPort(), true);
            s.setEnabledProtocols(PROTOCOLS);
            s.setEnabledCipherSuites(SUITES);
            s.setSoTimeout(timeoutMs);
            s.startHandshake();
            return s;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }
}
