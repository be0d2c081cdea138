package org.clusterd.mirror;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Takes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH out of the calling thread's effective capabilities,
 * so that this thread, though root, gets EACCES on a file of mode 000 while every other thread (the
 * peer, the scans) keeps them. Linux capabilities belong to a thread; they stay in its permitted
 * set, so {@link #close} puts them back.
 */
final class ThreadCapabilities implements AutoCloseable {
    private interface C extends Library {
        int capget(int[] header, int[] data);

        int capset(int[] header, int[] data);
    }

    private static final C LIBC = Native.load("c", C.class);
    private static final int VERSION_3 = 0x20080522;
    private static final int DAC_OVERRIDE = 1 << 1;
    private static final int DAC_READ_SEARCH = 1 << 2;

    private final int[] saved = new int[6];

    private ThreadCapabilities() {
        if (LIBC.capget(new int[] {VERSION_3, 0}, saved) != 0) {
            throw new IllegalStateException("capget failed: errno " + Native.getLastError());
        }
        int[] reduced = saved.clone();
        reduced[0] &= ~(DAC_OVERRIDE | DAC_READ_SEARCH); // effective, capabilities 0-31
        set(reduced);
    }

    static ThreadCapabilities withoutFileAccessOverride() {
        return new ThreadCapabilities();
    }

    private static void set(int[] data) {
        if (LIBC.capset(new int[] {VERSION_3, 0}, data) != 0) {
            throw new IllegalStateException("capset failed: errno " + Native.getLastError());
        }
    }

    @Override
    public void close() {
        set(saved);
    }
}
