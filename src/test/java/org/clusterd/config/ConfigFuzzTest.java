package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Damaged files: a valid file with a few seeded random edits (lines deleted or duplicated,
 * characters swapped, replaced or inserted, the file truncated) must either load or be rejected
 * with a well-formed {@link ConfigException}; any other exception is a bug. A failure names the
 * seed and case, and the same seed replays it exactly.
 */
class ConfigFuzzTest {
    /** Override with -Dclusterd.fuzz.seed=N -Dclusterd.fuzz.cases=N to search further or replay. */
    private static final long SEED = Long.getLong("clusterd.fuzz.seed", 0xC0FFEE);
    private static final int CASES = Integer.getInteger("clusterd.fuzz.cases", 200);
    /** Characters that mean something to YAML or to the loader, plus a control character. */
    private static final String NOISE = "-:[]{}#&*!|>'\"%@`,? \t\n0.9/aZ\u0001";

    @TempDir
    Path dir;

    @Test
    void damagedFilesLoadOrAreRejectedWithFileLineAndKey() throws Exception {
        String valid = ConfigFiles.resource("valid.yaml");
        Path file = ConfigFiles.writeConfig(dir, valid);
        ConfigLoader.load(file, ConfigFiles.FAKE_DNS); // the starting point is valid
        Pattern message = Pattern.compile(Pattern.quote(file.toString()) + ":\\d+: \\S.*: .+", Pattern.DOTALL);
        Random random = new Random(SEED);
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            String damaged = valid;
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                damaged = mutate(damaged, random);
            }
            Files.writeString(file, damaged);
            try {
                ConfigLoader.load(file, ConfigFiles.FAKE_DNS);
                loaded++;
            } catch (ConfigException ce) {
                rejected++;
                assertThat(ce.getMessage()).as("case %d of seed %d", i, SEED).matches(message);
                assertThat(ce.line()).as("case %d", i).isBetween(1, damaged.split("\n", -1).length + 1);
            } catch (RuntimeException | StackOverflowError bug) {
                fail("case %d of seed %d threw %s for:%n%s", i, SEED, bug, damaged, bug);
            }
        }
        // the edits must actually exercise both outcomes
        assertThat(rejected).isGreaterThan(CASES / 4);
        assertThat(loaded).isGreaterThan(0);
        LoggerFactory.getLogger(ConfigFuzzTest.class).info("{} damaged files: {} loaded, {} rejected", CASES, loaded, rejected);
    }

    private static String mutate(String text, Random random) {
        if (text.isEmpty()) {
            return text;
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int line = random.nextInt(lines.size());
        int at = random.nextInt(text.length());
        switch (random.nextInt(6)) {
            case 0 -> lines.remove(line);
            case 1 -> lines.add(line, lines.get(line));
            case 2 -> {
                if (at + 1 >= text.length()) {
                    return text;
                }
                return text.substring(0, at) + text.charAt(at + 1) + text.charAt(at) + text.substring(at + 2);
            }
            case 3 -> {
                return text.substring(0, at);
            }
            case 4 -> {
                return text.substring(0, at) + NOISE.charAt(random.nextInt(NOISE.length())) + text.substring(at + 1);
            }
            default -> {
                return text.substring(0, at) + NOISE.charAt(random.nextInt(NOISE.length())) + text.substring(at);
            }
        }
        return String.join("\n", lines);
    }
}
