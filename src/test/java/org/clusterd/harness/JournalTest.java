package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    /** Lines of one service process: START at {@code from}, TICKs every 50 ms up to {@code to}, then STOP if asked. */
    private static List<String> run(String node, String group, long pid, long from, long to, boolean stop) {
        List<String> lines = new ArrayList<>();
        lines.add("START " + node + " " + group + " " + from + " " + pid);
        for (long t = from + 50; t <= to; t += 50) {
            lines.add("TICK " + node + " " + group + " " + t + " " + pid);
        }
        if (stop) {
            lines.add("STOP " + node + " " + group + " " + (to + 5) + " " + pid);
        }
        return lines;
    }

    @Test
    void aCleanFailoverAndFailbackHasNoOverlap() {
        List<String> lines = new ArrayList<>();
        lines.addAll(run("alpha", "mail", 100, 1_000, 2_000, false)); // killed -9 after the TICK at 2000
        lines.addAll(run("beta", "mail", 200, 4_000, 6_000, true));   // takeover, then stopped for failback
        lines.addAll(run("alpha", "mail", 300, 6_100, 7_000, false)); // back home
        lines.addAll(run("beta", "files", 201, 1_000, 7_000, false)); // another group, unaffected

        Journal journal = Journal.parse(lines);

        assertThat(journal.overlaps("mail")).isEmpty();
        assertThat(journal.maxOverlapMillis("mail")).isZero();
        assertThat(journal.intervals("mail")).extracting(Journal.Interval::node, Journal.Interval::startMillis,
                        Journal.Interval::endMillis, Journal.Interval::stopped)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("alpha", 1_000L, 2_000L, false),
                        org.assertj.core.groups.Tuple.tuple("beta", 4_000L, 6_005L, true),
                        org.assertj.core.groups.Tuple.tuple("alpha", 6_100L, 7_000L, false));
        assertThat(journal.servingNodeAt("mail", 1_500)).contains("alpha");
        assertThat(journal.servingNodeAt("mail", 3_000)).isEmpty();
        assertThat(journal.servingNodeAt("mail", 5_000)).contains("beta");
        assertThat(journal.servingNodeAt("mail", 6_050)).isEmpty();
        assertThat(journal.servingNodeAt("mail", 6_500)).contains("alpha");
        assertThat(journal.servingNodeAt("files", 6_500)).contains("beta");
    }

    @Test
    void twoNodesServingAtOnceIsAnOverlapWithItsNodesAndDuration() {
        List<String> lines = new ArrayList<>();
        lines.addAll(run("alpha", "mail", 100, 1_000, 5_000, true));
        lines.addAll(run("beta", "mail", 200, 3_000, 8_000, false)); // split brain from 3000 to 5005

        Journal journal = Journal.parse(lines);

        assertThat(journal.overlaps("mail")).singleElement().satisfies(o -> {
            assertThat(o.group()).isEqualTo("mail");
            assertThat(List.of(o.node1(), o.node2())).containsExactlyInAnyOrder("alpha", "beta");
            assertThat(o.startMillis()).isEqualTo(3_000);
            assertThat(o.endMillis()).isEqualTo(5_005);
            assertThat(o.durationMillis()).isEqualTo(2_005);
        });
        assertThat(journal.maxOverlapMillis("mail")).isEqualTo(2_005);
        assertThat(journal.servingNodesAt("mail", 4_000)).containsExactly("alpha", "beta");
        assertThatThrownBy(() -> journal.servingNodeAt("mail", 4_000))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("alpha").hasMessageContaining("beta");
        assertThat(journal.overlaps("files")).isEmpty();
    }

    @Test
    void anOverlapNoLongerThanTheToleranceIsIgnored() {
        List<String> lines = new ArrayList<>();
        lines.addAll(run("alpha", "mail", 100, 1_000, 2_000, false));
        lines.add("START beta mail 1970 200");
        lines.add("TICK beta mail 2020 200");

        Journal journal = Journal.parse(lines);

        assertThat(journal.overlaps("mail")).extracting(Journal.Overlap::durationMillis).containsExactly(30L);
        assertThat(journal.overlaps("mail", 50)).isEmpty();
        assertThat(journal.overlaps("mail", 29)).hasSize(1);
    }

    @Test
    void theSameNodeRestartingIsNotAnOverlap() {
        List<String> lines = new ArrayList<>();
        lines.addAll(run("alpha", "mail", 100, 1_000, 2_000, false));
        lines.addAll(run("alpha", "mail", 101, 1_900, 3_000, false));

        assertThat(Journal.parse(lines).overlaps("mail", -1)).isEmpty();
    }

    @Test
    void aSilenceLongerThanTheTickGapSplitsAnInterval() {
        List<String> lines = new ArrayList<>();
        lines.addAll(run("alpha", "mail", 100, 1_000, 2_000, false));
        lines.addAll(run("alpha", "mail", 100, 5_000, 6_000, true).subList(1, 22)); // same pid, frozen 2000..5050
        lines.addAll(run("beta", "mail", 200, 3_000, 4_000, true));

        Journal journal = Journal.parse(lines, 500);

        assertThat(journal.intervals("mail")).hasSize(3);
        assertThat(journal.overlaps("mail")).isEmpty();
        assertThat(journal.servingNodeAt("mail", 3_500)).contains("beta");
    }

    @Test
    void linesFromTwoProcessesMayInterleaveInTheFile() {
        List<String> alpha = run("alpha", "mail", 100, 1_000, 1_500, true);
        List<String> beta = run("beta", "mail", 200, 1_200, 1_700, true);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(alpha.size(), beta.size()); i++) {
            if (i < alpha.size()) {
                lines.add(alpha.get(i));
            }
            if (i < beta.size()) {
                lines.add(beta.get(i));
            }
        }

        Journal journal = Journal.parse(lines);

        assertThat(journal.intervals("mail")).hasSize(2);
        assertThat(journal.overlaps("mail")).extracting(Journal.Overlap::startMillis, Journal.Overlap::endMillis)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1_200L, 1_505L));
    }

    @Test
    void rejectsAMalformedLineNamingIt() {
        assertThatThrownBy(() -> Journal.parse(List.of("START alpha mail 1000 1", "TICK alpha mail soon 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> Journal.parse(List.of("BEGIN alpha mail 1000 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
    }

    @Test
    void readsAFileAndTreatsAMissingOneAsEmpty(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("journal");
        assertThat(Journal.read(file).intervals()).isEmpty();
        Files.write(file, run("alpha", "mail", 100, 1_000, 1_200, true));
        assertThat(Journal.read(file).intervals()).singleElement()
                .satisfies(i -> assertThat(i.durationMillis()).isEqualTo(205));
    }
}
