package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scans of real directories and the crash-safe manifest files they are compared with. */
class ScannerAndManifestTest {
    @TempDir
    Path dir;

    private List<FileEntry> scan(Path root, Excludes ex, List<FileEntry> base, Scanner.Result[] result) throws IOException {
        List<FileEntry> out = new ArrayList<>();
        Scanner.Result r = Scanner.scan(root, ex, false, EntryIterator.of(base), out::add);
        if (result != null) {
            result[0] = r;
        }
        return out;
    }

    private Path tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("set"));
        Files.writeString(root.resolve("b.txt"), "bee");
        Files.createDirectories(root.resolve("a/x"));
        Files.writeString(root.resolve("a/x/y"), "why");
        Files.writeString(root.resolve("a-b"), "ab");
        Files.writeString(root.resolve("skip.lock"), "lock");
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/x/y"));
        Files.writeString(root.resolve(Excludes.MARKER), "set\n");
        Files.writeString(root.resolve(Excludes.TEMP_PREFIX + "123"), "partial");
        return root;
    }

    @Test
    void scansInPathOrderWithTypesLinksAndHashesSkippingExcludes() throws Exception {
        Scanner.Result[] r = new Scanner.Result[1];
        List<FileEntry> entries = scan(tree(), Excludes.of("*.lock"), List.of(), r);

        assertThat(entries).extracting(FileEntry::path).containsExactly("a", "a/x", "a/x/y", "a-b", "b.txt", "link");
        assertThat(entries.get(0).type()).isEqualTo(EntryType.DIR);
        assertThat(entries.get(2).hash()).isEqualTo(Hashing.of("why".getBytes()));
        assertThat(entries.get(2).size()).isEqualTo(3);
        assertThat(entries.get(5).type()).isEqualTo(EntryType.SYMLINK);
        assertThat(entries.get(5).linkTarget()).isEqualTo("a/x/y");
        assertThat(r[0].markerPresent()).isTrue();
        assertThat(r[0].hadErrors()).isFalse();
        assertThat(r[0].hashedFiles()).isEqualTo(3);
    }

    @Test
    void walksTreesDeeperThanItHoldsDirectoriesOpenAndNeverFollowsALinkToADirectory() throws Exception {
        Path root = Files.createDirectories(dir.resolve("deep"));
        Path d = root;
        StringBuilder rel = new StringBuilder();
        for (int i = 0; i < Scanner.MAX_OPEN_DEPTH + 6; i++) {
            d = Files.createDirectories(d.resolve("d"));
            rel.append(rel.length() == 0 ? "d" : "/d");
            Files.writeString(d.resolve("f"), "level " + i);
        }
        Files.createSymbolicLink(root.resolve("loop"), root); // followed, it would never end
        Scanner.Result[] r = new Scanner.Result[1];

        List<FileEntry> entries = scan(root, Excludes.of(), List.of(), r);

        assertThat(r[0].hadErrors()).isFalse();
        assertThat(entries).hasSize(2 * (Scanner.MAX_OPEN_DEPTH + 6) + 1);
        assertThat(entries).filteredOn(e -> e.path().equals(rel + "/f")).singleElement()
                .extracting(FileEntry::hash).isEqualTo(Hashing.of(("level " + (Scanner.MAX_OPEN_DEPTH + 5)).getBytes()));
        assertThat(entries).filteredOn(e -> e.path().equals("loop")).singleElement()
                .extracting(FileEntry::type).isEqualTo(EntryType.SYMLINK);
    }

    @Test
    void hashesOnlyWhatChangedSinceTheBaseAndNotesTheOldPrefixOfAGrownFile() throws Exception {
        Path root = tree();
        List<FileEntry> base = scan(root, Excludes.of("*.lock"), List.of(), null);
        Files.writeString(root.resolve("b.txt"), "bee and more");
        Scanner.Result[] r = new Scanner.Result[1];
        List<FileEntry> again = scan(root, Excludes.of("*.lock"), base, r);

        assertThat(r[0].hashedFiles()).isEqualTo(1);
        FileEntry b = again.stream().filter(e -> e.path().equals("b.txt")).findFirst().orElseThrow();
        assertThat(b.prefixLength()).isEqualTo(3);
        assertThat(b.prefixHash()).isEqualTo(Hashing.of("bee".getBytes()));
        assertThat(b.hash()).isEqualTo(Hashing.of("bee and more".getBytes()));
    }

    @Test
    void reportsInOrderWhatDiffersFromTheBaseAndWhatIsGoneFromIt() throws Exception {
        Path root = tree();
        List<FileEntry> base = scan(root, Excludes.of("*.lock"), List.of(), null);
        Files.writeString(root.resolve("b.txt"), "bee and more");
        Files.delete(root.resolve("a/x/y"));
        Files.delete(root.resolve("a/x"));
        Files.writeString(root.resolve("c"), "new");
        List<String> seen = new ArrayList<>();
        Scanner.Differences diffs = new Scanner.Differences() {
            @Override
            public void changed(FileEntry scanned) {
                seen.add("changed " + scanned.path());
            }

            @Override
            public void gone(String path) {
                seen.add("gone " + path);
            }
        };
        List<FileEntry> out = new ArrayList<>();
        Scanner.Result r = Scanner.scan(root, Excludes.of("*.lock"), false, EntryIterator.of(base), null, diffs, out::add);

        assertThat(seen).containsExactly("gone a/x", "gone a/x/y", "changed b.txt", "changed c");
        assertThat(r.differences()).isEqualTo(4);
        List<FileEntry> same = scan(root, Excludes.of("*.lock"), out, null);
        Scanner.Result none = Scanner.scan(root, Excludes.of("*.lock"), false, EntryIterator.of(same), null,
                Scanner.IGNORE, e -> { });
        assertThat(none.differences()).isZero();
    }

    @Test
    void fullChecksumModeFindsAChangeThatKeptSizeAndTime() throws Exception {
        Path root = tree();
        List<FileEntry> base = scan(root, Excludes.of(), List.of(), null);
        Path y = root.resolve("a/x/y");
        FileTime t = Files.getLastModifiedTime(y);
        Files.writeString(y, "WHY");
        Files.setLastModifiedTime(y, t);
        List<FileEntry> quick = new ArrayList<>();
        Scanner.scan(root, Excludes.of(), false, EntryIterator.of(base), quick::add);
        List<FileEntry> full = new ArrayList<>();
        Scanner.scan(root, Excludes.of(), true, EntryIterator.of(base), full::add);

        assertThat(quick.get(2).hash()).isEqualTo(Hashing.of("why".getBytes()));
        assertThat(full.get(2).hash()).isEqualTo(Hashing.of("WHY".getBytes()));
    }

    @Test
    void aMissingRootFailsTheScan() {
        assertThatThrownBy(() -> scan(dir.resolve("absent"), Excludes.of(), List.of(), null))
                .isInstanceOf(IOException.class).hasMessageContaining("missing");
    }


    @Test
    void manifestRoundTripsAndSurvivesOnlyWhenComplete() throws Exception {
        ManifestStore store = new ManifestStore(dir.resolve("state"));
        List<FileEntry> entries = scan(tree(), Excludes.of(), List.of(), null);
        try (ManifestStore.Pending p = store.begin("docs", "sync-1")) {
            for (FileEntry e : entries) {
                p.add(e);
            }
            p.commit();
        }
        assertThat(store.load("docs")).isEqualTo(new ManifestStore.Loaded("sync-1", entries.size(), false, null));
        List<FileEntry> read = new ArrayList<>();
        try (EntryIterator it = store.open("docs")) {
            for (FileEntry e = it.next(); e != null; e = it.next()) {
                read.add(e);
            }
        }
        assertThat(read).isEqualTo(entries);

        // an uncommitted new manifest leaves the old one in place
        try (ManifestStore.Pending p = store.begin("docs", "sync-2")) {
            p.add(entries.get(0));
        }
        assertThat(store.load("docs").id()).isEqualTo("sync-1");
        assertThat(Files.exists(store.dir().resolve("docs.manifest.tmp"))).isFalse();
    }

    @Test
    void aTruncatedOrDamagedManifestReadsAsLostAndEmpty() throws Exception {
        ManifestStore store = new ManifestStore(dir.resolve("state"));
        List<FileEntry> entries = scan(tree(), Excludes.of(), List.of(), null);
        try (ManifestStore.Pending p = store.begin("docs", "sync-1")) {
            for (FileEntry e : entries) {
                p.add(e);
            }
            p.commit();
        }
        Path f = store.dir().resolve("docs.manifest");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertThat(store.load("docs").lost()).isTrue();
        assertThat(store.open("docs").next()).isNull();

        bytes[bytes.length / 2] ^= 0x40;
        Files.write(f, bytes);
        assertThat(store.load("docs").lost()).isTrue();

        Files.write(f, "garbage".getBytes());
        assertThat(store.load("docs").lost()).isTrue();
        assertThat(store.load("never").lost()).isFalse();
    }

    @Test
    void writerRefusesEntriesOutOfOrder() throws Exception {
        try (EntryFile.Writer w = new EntryFile.Writer(dir.resolve("x"), "id")) {
            w.add(FileEntry.dir("b", 0755));
            assertThatThrownBy(() -> w.add(FileEntry.dir("a", 0755))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void scansPermissionsAndTimesToTheNanosecondTheFileSystemKeeps() throws Exception {
        Path root = tree();
        Path y = root.resolve("a/x/y");
        Files.setPosixFilePermissions(y, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(y, FileTime.from(java.time.Instant.parse("2026-11-26T10:15:00.123456789Z")));
        FileEntry e = scan(root, Excludes.of(), List.of(), null).get(2);
        assertThat(e.mode()).isEqualTo(0640);
        assertThat(e.mtimeNs() % 1_000_000_000L).isIn(123456789L, 123456000L);
    }

    @Test
    void globsWithASlashMatchTheWholePathAndOthersAnyName() {
        Excludes ex = Excludes.of("*.tmp", "cache/**", "**/tmp/*", "tmp/*");
        assertThat(ex.excludes("a/b/c.tmp", "c.tmp")).isTrue();
        assertThat(ex.excludes("cache/x/y", "y")).isTrue();
        assertThat(ex.excludes("cache", "cache")).isFalse();
        assertThat(ex.excludes("INBOX/tmp/1.x", "1.x")).isTrue();
        assertThat(ex.excludes("tmp/1.x", "1.x")).isTrue();
        assertThat(ex.excludes("INBOX/tmp", "tmp")).isFalse();
        assertThat(ex.excludes(Excludes.MARKER, Excludes.MARKER)).isTrue();
    }

    @Test
    void conflictCopiesKeepTheExtensionAndAreRecognised() {
        java.time.Instant t = java.time.Instant.parse("2026-11-26T10:15:00Z");
        assertThat(Conflicts.copyName("report.doc", t, "node-b", 1))
                .isEqualTo("report.clusterd-conflict-20261126T101500Z-node-b.doc");
        assertThat(Conflicts.copyName("Makefile", t, "b", 2)).isEqualTo("Makefile.clusterd-conflict-20261126T101500Z-b-2");
        assertThat(Conflicts.copyName(".bashrc", t, "b", 1)).isEqualTo(".bashrc.clusterd-conflict-20261126T101500Z-b");
        assertThat(Conflicts.isCopy("report.clusterd-conflict-20261126T101500Z-node-b.doc")).isTrue();
        assertThat(Conflicts.isCopy("report.doc")).isFalse();
        assertThat(Conflicts.isCopyOf("report.clusterd-conflict-20261126T101500Z-node-b.doc", "report.doc")).isTrue();
        assertThat(Conflicts.isCopyOf("report.clusterd-conflict-20261126T101500Z-node-b.doc", "report.txt")).isFalse();
    }

    @Test
    void pathGuardRefusesEscapes() {
        for (String bad : new String[] {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/\0b", "a/.."}) {
            assertThatThrownBy(() -> PathGuard.check(bad)).as(bad).isInstanceOf(PathGuard.RefusedPath.class);
        }
        assertThat(PathGuard.linkStaysInside("a/b/l", "../c")).isTrue();
        assertThat(PathGuard.linkStaysInside("a/l", "../../c")).isFalse();
        assertThat(PathGuard.linkStaysInside("l", "/etc")).isFalse();
    }

    @Test
    void pathGuardRefusesToWriteThroughASymlink() throws Exception {
        Path root = Files.createDirectories(dir.resolve("set"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("evil"), outside);
        assertThatThrownBy(() -> PathGuard.resolve(root, "evil/x")).isInstanceOf(PathGuard.RefusedPath.class);
        assertThat(PathGuard.resolve(root, "evil")).isEqualTo(root.resolve("evil"));
    }
}
