package org.clusterd.mirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the mirror channel's keys with the JDK's {@code keytool}: for each node a PKCS12 keystore
 * {@code mirror-NODE.p12} with an EC P-256 key and a self-signed certificate (CN=clusterd-NODE, ten
 * years), one truststore {@code mirror-trust.p12} holding every node's certificate, and a random
 * password in {@code mirror.pass} (mode 600) opening them all. Copy the node's keystore, the
 * truststore and the password file to each node. The keytool recipe by hand, per node:
 * <pre>
 * keytool -genkeypair -alias NODE -keyalg EC -groupname secp256r1 -validity 3650 -dname CN=clusterd-NODE \
 *   -storetype PKCS12 -keystore mirror-NODE.p12 -storepass "$(cat mirror.pass)"
 * keytool -exportcert -alias NODE -keystore mirror-NODE.p12 -storepass "$(cat mirror.pass)" -file NODE.crt
 * keytool -importcert -noprompt -alias NODE -file NODE.crt -storetype PKCS12 -keystore mirror-trust.p12 \
 *   -storepass "$(cat mirror.pass)"
 * </pre>
 */
public final class MirrorKeys {
    private MirrorKeys() {}

    /** The files made for a node. */
    public record NodeKeys(Path keystore, Path truststore, Path passwordFile) {}

    /** Generates keys for {@code nodes} in {@code dir}; returns them in the same order. */
    public static List<NodeKeys> generate(Path dir, List<String> nodes) throws IOException {
        Files.createDirectories(dir);
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String pass = HexFormat.of().formatHex(random);
        Path passFile = dir.resolve("mirror.pass");
        Files.deleteIfExists(passFile);
        Files.createFile(passFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passFile, pass + "\n", StandardCharsets.UTF_8);
        Path trust = dir.resolve("mirror-trust.p12");
        Files.deleteIfExists(trust);
        List<NodeKeys> out = new ArrayList<>();
        for (String node : nodes) {
            Path ks = dir.resolve("mirror-" + node + ".p12");
            Path crt = dir.resolve(node + ".crt");
            Files.deleteIfExists(ks);
            Files.deleteIfExists(crt);
            keytool(pass, "-genkeypair", "-alias", node, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
                    "-dname", "CN=clusterd-" + node, "-storetype", "PKCS12", "-keystore", ks.toString());
            keytool(pass, "-exportcert", "-alias", node, "-keystore", ks.toString(), "-file", crt.toString());
            keytool(pass, "-importcert", "-noprompt", "-alias", node, "-file", crt.toString(), "-storetype", "PKCS12",
                    "-keystore", trust.toString());
            Files.setPosixFilePermissions(ks, PosixFilePermissions.fromString("rw-------"));
            out.add(new NodeKeys(ks, trust, passFile));
        }
        return out;
    }

    private static void keytool(String pass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.add("-storepass:env");
        cmd.add("CLUSTERD_STOREPASS");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLUSTERD_STOREPASS", pass);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output.strip());
        }
    }

    /** {@code MirrorKeys DIR NODE...}: generates the keys, for scripts and the demo. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: MirrorKeys DIR NODE [NODE...]");
            System.exit(2);
        }
        generate(Path.of(args[0]), List.of(args).subList(1, args.length));
        System.out.println("wrote mirror keys to " + args[0]);
    }
}
