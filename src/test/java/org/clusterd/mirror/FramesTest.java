package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame codec from byte arrays: valid frames, every kind of damage, and random garbage. */
class FramesTest {
    private static byte[] frame(int type, byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(out, type, payload);
        return out.toByteArray();
    }

    @Test
    void roundTripsAFrame() throws Exception {
        byte[] bytes = frame(Frames.DATA, new byte[] {1, 2, 3});
        assertThat(bytes).startsWith(0, 0, 0, 3, Frames.DATA);
        Frames.Frame f = Frames.read(new ByteArrayInputStream(bytes), Frames.MAX_PAYLOAD);
        assertThat(f.type()).isEqualTo(Frames.DATA);
        assertThat(f.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void aCleanEndBeforeAFrameIsNull() throws Exception {
        assertThat(Frames.read(new ByteArrayInputStream(new byte[0]), 100)).isNull();
    }

    @Test
    void refusesAnOversizedFrameBeforeAllocatingIt() {
        byte[] head = {0x40, 0, 0, 0, Frames.DATA};
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(head), Frames.MAX_PAYLOAD))
                .isInstanceOf(Frames.BadFrame.class).hasMessageContaining("exceeds");
        byte[] negative = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, Frames.DATA};
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(negative), Frames.MAX_PAYLOAD))
                .isInstanceOf(Frames.BadFrame.class);
    }

    @Test
    void refusesAnUnknownType() throws Exception {
        byte[] bytes = frame(Frames.DATA, new byte[0]);
        bytes[4] = 99;
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(bytes), 100))
                .isInstanceOf(Frames.BadFrame.class).hasMessageContaining("unknown frame type 99");
    }

    @Test
    void aTruncatedFrameIsAnEndOfStream() throws Exception {
        byte[] bytes = frame(Frames.DATA, new byte[10]);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(cut), 100)).isInstanceOf(EOFException.class);
    }

    @Test
    void entriesWithEscapingPathsAreRefusedWhenDecoded() throws Exception {
        for (String bad : new String[] {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b"}) {
            byte[] payload = Frames.payload(o -> {
                o.writeBoolean(true);
                EntryCodec.write(o, FileEntry.file(bad, 1, 1, 0644, null));
            });
            assertThatThrownBy(() -> Frames.readEntry(new DataInputStream(new ByteArrayInputStream(payload))))
                    .as(bad).isInstanceOf(PathGuard.RefusedPath.class);
        }
    }

    @Test
    void randomGarbageOnlyEverEndsInAnIOException() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            try {
                ByteArrayInputStream in = new ByteArrayInputStream(junk);
                while (Frames.read(in, 1 << 16) != null) {
                    // keep reading
                }
            } catch (IOException e) {
                // refused: fine
            }
            try {
                EntryCodec.read(new DataInputStream(new ByteArrayInputStream(junk)));
            } catch (IOException e) {
                // refused: fine
            }
        }
    }
}
