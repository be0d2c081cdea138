package org.clusterd.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;

/** Writing configuration files and key files into a test's temporary directory. */
final class ConfigFiles {
    /** Resolves the few names tests use and nothing else, so no test depends on DNS. */
    static final HostResolver FAKE_DNS = host -> {
        Map<String, String> known = Map.of("alpha-lan", "192.168.1.10", "beta-lan", "192.168.1.11");
        String address = known.get(host);
        if (address == null) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getByName(address);
    };

    private ConfigFiles() {}

    /** Writes a private (mode 600) key file of {@code length} seeded random bytes. */
    static Path writeKey(Path file, int length) {
        byte[] key = new byte[length];
        new Random(length).nextBytes(key);
        try {
            Files.write(file, key);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Writes {@code yaml} as {@code dir/clusterd.yaml}, with a valid key file {@code dir/cluster.key} beside it. */
    static Path writeConfig(Path dir, String yaml) {
        try {
            if (!Files.exists(dir.resolve("cluster.key"))) {
                writeKey(dir.resolve("cluster.key"), 32);
            }
            return Files.writeString(dir.resolve("clusterd.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = ConfigFiles.class.getResourceAsStream("/config/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource config/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 1-based number of the first line containing {@code text}. */
    static int lineOf(String yaml, String text) {
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no line contains '" + text + "'");
    }
}
