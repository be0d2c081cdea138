package org.clusterd.mirror;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Security;
import javax.crypto.Cipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the Amazon Corretto Crypto Provider (AWS-LC underneath) first among the JVM's security
 * providers before the mirror's first TLS context is made, so TLS 1.3's AES-GCM runs on AWS-LC's
 * AES-NI/VAES code instead of JDK 17's: 2 GiB through TLS over loopback took 3.0 CPU seconds with it
 * against 5.4 without, and a full copy's TLS on both nodes is that twice over. The JSSE stays the
 * JDK's, and so do the protocol, the suites and the certificates; only the cipher code changes.
 *
 * <p>The provider is installed for the whole JVM (JSSE asks the global provider list; there is no
 * per-context choice), and it answers only what it implements, so everything else stays with the
 * JDK's providers. Where it cannot load (another architecture, a C library it cannot use) or fails
 * its self-tests, nothing is installed and the JDK's provider does the work, which is only slower.
 * {@code -Dclusterd.crypto=jdk} keeps the JDK's providers on purpose.
 */
final class MirrorCrypto {
    private static final Logger log = LoggerFactory.getLogger(MirrorCrypto.class);
    private static boolean done;

    private MirrorCrypto() {}

    /** Installs the provider once, if it can; returns the provider AES-GCM now comes from. */
    static synchronized String install() {
        if (!done) {
            done = true;
            if ("jdk".equals(System.getProperty("clusterd.crypto"))) {
                log.info("Mirror TLS uses the JDK's crypto providers (clusterd.crypto=jdk)");
            } else {
                tryInstall();
            }
        }
        return gcmProvider();
    }

    private static void tryInstall() {
        try {
            AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = p.getLoadingError();
            if (error != null) {
                log.info("Mirror TLS uses the JDK's AES-GCM: the Corretto provider did not load here ({})", error.toString());
                return;
            }
            p.assertHealthy();
            if (Security.getProvider(p.getName()) == null) {
                Security.insertProviderAt(p, 1);
            }
            log.info("Mirror TLS uses the AES-GCM of Amazon Corretto Crypto Provider {} ({})", p.getVersionStr(), p.getAwsLcVersionStr());
        } catch (RuntimeException | LinkageError e) {
            log.info("Mirror TLS uses the JDK's AES-GCM: the Corretto provider is not usable here ({})", e.toString());
        }
    }

    private static String gcmProvider() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
        } catch (java.security.GeneralSecurityException e) {
            return "none (" + e + ")";
        }
    }
}
