package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Differences between sorted entry lists, framed and applied again ({@link ChangeMerge}, {@link ChangeStream}). */
class ChangeMergeTest {

    private static EntryIterator of(List<FileEntry> list) {
        return EntryIterator.of(list);
    }

    private static List<FileEntry> tree(Random r, int n) {
        TreeMap<String, FileEntry> m = new TreeMap<>(PathOrder::compare);
        for (int i = 0; i < n; i++) {
            String path = "d" + r.nextInt(5) + "/s" + r.nextInt(5) + "/f" + r.nextInt(200);
            m.put(path, FileEntry.file(path, r.nextInt(3), r.nextInt(3), 0644, "m3:" + r.nextInt(3)));
        }
        return new ArrayList<>(m.values());
    }

    @Test
    void theDifferencesSentThroughFramesTurnTheOldListIntoTheNewOne() throws Exception {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<FileEntry> old = tree(r, r.nextInt(60));
            List<FileEntry> now = tree(r, r.nextInt(60));
            List<byte[]> frames = new ArrayList<>();
            ChangeStream stream = new ChangeStream((type, payload) -> frames.add(payload), Frames.MANIFEST_CHANGES);
            long n = ChangeMerge.diff(of(old), of(now), stream);
            stream.flush();

            List<FileEntry> rebuilt = new ArrayList<>();
            ChangeMerge merge = new ChangeMerge(of(old), rebuilt::add);
            long read = 0;
            for (byte[] f : frames) {
                read += ChangeStream.read(new DataInputStream(new java.io.ByteArrayInputStream(f)), true, merge);
            }
            merge.finish();

            assertThat(rebuilt).isEqualTo(now);
            assertThat(read).isEqualTo(n);
        }
    }

    @Test
    void differencesOutOfOrderOrLeavingTheSetAreRefused() throws Exception {
        List<FileEntry> out = new ArrayList<>();
        ChangeMerge merge = new ChangeMerge(of(List.of()), out::add);
        merge.changed(FileEntry.file("b", 1, 1, 0644, "m3:1"));
        assertThatThrownBy(() -> merge.gone("a")).isInstanceOf(Frames.BadFrame.class).hasMessageContaining("out of order");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(bytes);
        d.writeInt(1);
        d.writeByte(0);
        EntryCodec.writeString(d, "../etc/passwd");
        assertThatThrownBy(() -> ChangeStream.read(new DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())),
                true, new ChangeMerge(of(List.of()), out::add))).isInstanceOf(IOException.class);
    }
}
