package org.clusterd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/** Valid node configurations in a test's directory, with a private key file beside them. */
final class ConfigFixtures {
    private ConfigFixtures() {}

    static String yaml(int controlPort) {
        return """
                cluster: office
                node: alpha
                peer: beta
                keyFile: cluster.key
                stateDir: state
                control:
                  port: %d
                  tokenFile: run/control.token
                links:
                  - name: crossover
                    local: 10.0.0.1:694
                    peer: 10.0.0.2:694
                  - name: lan
                    local: 192.168.1.11:694
                    peer: 192.168.1.12:694
                groups:
                  - name: mail
                    home: alpha
                    resources: []
                  - name: files
                    home: beta
                    resources: []
                """.formatted(controlPort);
    }

    /** Writes {@code dir/NAME} with {@code yaml} and, if missing, a valid key file {@code dir/cluster.key}. */
    static Path write(Path dir, String name, String yaml) throws IOException {
        Path key = dir.resolve("cluster.key");
        if (!Files.exists(key)) {
            byte[] bytes = new byte[32];
            new Random(7).nextBytes(bytes);
            Files.write(key, bytes);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.writeString(dir.resolve(name), yaml);
    }

    static Path tokenFile(Path dir) {
        return dir.resolve("run/control.token");
    }

    /** 1-based number of the first line of {@code yaml} containing {@code text}. */
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
