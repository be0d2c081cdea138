package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The content hash is MurmurHash3 x64-128 (as Guava's murmur3_128 prints it), however it is fed. */
class ContentHashTest {
    @Test
    void matchesTheReferenceAlgorithmWhateverTheChunking() {
        Random r = new Random(5);
        Map<Integer, String> expected = new LinkedHashMap<>();
        expected.put(0, "00000000000000000000000000000000");
        expected.put(1, "ce898234464163568468233b04ef796b");
        expected.put(7, "0d967ead780a15503ca29ceaedc17fb1");
        expected.put(8, "d210692c8b5da005391b26c4b4914fc5");
        expected.put(9, "57f37acd9d4369085733f35bc8a125cf");
        expected.put(15, "7cb2c1ad1378637b065ce0382b6c22f3");
        expected.put(16, "b6aecbfbb6ae6d3f4662866e0d2cdbda");
        expected.put(17, "38ec6d34464de918337d7b49b34bd538");
        expected.put(31, "6e61b0172d8512ccc0f4cf7734897718");
        expected.put(33, "a0e09bc2b809579d6843b9b8e3b18603");
        expected.put(1000, "5cfb51f68b2d101d3ba53041cc52e177");
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            byte[] b = new byte[e.getKey()];
            r.nextBytes(b);
            for (int chunk : new int[] {1, 5, 16, 64, 4096}) {
                ContentHash array = new ContentHash();
                ContentHash direct = new ContentHash();
                ContentHash slice = new ContentHash();
                for (int i = 0; i < b.length; i += chunk) {
                    int n = Math.min(chunk, b.length - i);
                    array.update(b, i, n);
                    direct.update(ByteBuffer.allocateDirect(n).put(b, i, n).flip());
                    // a heap buffer with an array offset, and a read-only one (no array): both ByteBuffer paths
                    ByteBuffer part = ByteBuffer.wrap(b).position(i).slice().limit(n);
                    part = i % 2 == 0 ? part : part.asReadOnlyBuffer();
                    slice.update(part);
                    assertThat(part.hasRemaining()).isFalse();
                }
                for (ContentHash c : List.of(array, direct, slice)) {
                    assertThat(c.hex()).as("length %d in chunks of %d", b.length, chunk).isEqualTo("m3:" + e.getValue());
                }
            }
        }
    }

    @Test
    void aCopyMidStreamIsTheHashOfThePrefix() {
        byte[] b = new byte[1000];
        new Random(9).nextBytes(b);
        ContentHash whole = new ContentHash();
        whole.update(b, 0, 333);
        String prefix = whole.copy().hex();
        whole.update(b, 333, 667);
        ContentHash direct = new ContentHash();
        direct.update(b, 0, 333);
        assertThat(prefix).isEqualTo(direct.hex());
        assertThat(whole.hex()).isEqualTo(Hashing.of(b));
    }
}
