package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class MirrorCryptoTest {
    @Test
    void aesGcmComesFromAwsLcOnX86() {
        // CI and the development machine are x86-64 Linux: a silent fall back to the JDK's AES-GCM
        // would only show as a slower benchmark
        assumeThat(System.getProperty("os.arch")).isIn("amd64", "x86_64");
        assertThat(MirrorCrypto.install()).isEqualTo(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
        assertThat(MirrorCrypto.install()).as("a second call changes nothing").isEqualTo(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
    }

    @Test
    void whatTheJdkSealsTheProviderOpensAndTheOtherAlgorithmsStayAvailable() throws Exception {
        MirrorCrypto.install();
        byte[] key = new byte[16];
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(key);
        byte[] plain = "a mail message".getBytes();
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        byte[] sealed = jdk.doFinal(plain);
        Cipher first = Cipher.getInstance("AES/GCM/NoPadding");
        first.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        assertThat(first.doFinal(sealed)).isEqualTo(plain);
        // SNMPv3's privacy and authentication need these; they come from whichever provider has them
        assertThat(Cipher.getInstance("DESede/CBC/NoPadding")).isNotNull();
        assertThat(Cipher.getInstance("AES/CFB/NoPadding")).isNotNull();
        assertThat(MessageDigest.getInstance("MD5").digest(plain)).hasSize(16);
    }
}
