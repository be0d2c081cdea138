package org.clusterd.mirror.bench;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark deletes its --dir first: only its own directory or an empty one. */
class MirrorBenchmarkDirTest {
    @TempDir
    Path tmp;

    @Test
    void aNewAnEmptyOrAMarkedDirectoryIsTaken() throws Exception {
        assertThatCode(() -> MirrorBenchmark.refuseForeign(tmp.resolve("new"))).doesNotThrowAnyException();
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatCode(() -> MirrorBenchmark.refuseForeign(empty)).doesNotThrowAnyException();
        Path marked = Files.createDirectory(tmp.resolve("marked"));
        Files.createFile(marked.resolve(MirrorBenchmark.MARKER));
        Files.writeString(marked.resolve("left-over"), "from a killed run");
        assertThatCode(() -> MirrorBenchmark.refuseForeign(marked)).doesNotThrowAnyException();
    }

    @Test
    void someoneElsesDirectoryOrAFileIsRefusedAndLeftAlone() throws Exception {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path precious = Files.writeString(home.resolve("thesis.tex"), "years of work");
        assertThatThrownBy(() -> MirrorBenchmark.refuseForeign(home))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(home.toString())
                .hasMessageContaining("not a benchmark directory");
        assertThatThrownBy(() -> MirrorBenchmark.refuseForeign(precious))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a directory");
        assertThatCode(() -> Files.readString(precious)).doesNotThrowAnyException();
    }
}
