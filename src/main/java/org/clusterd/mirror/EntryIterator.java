package org.clusterd.mirror;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Entries in {@link PathOrder}, one at a time, with a look at the next. */
public interface EntryIterator extends Closeable {
    /** The next entry without consuming it, null at the end. */
    FileEntry peek() throws IOException;

    /** The next entry, null at the end. */
    FileEntry next() throws IOException;

    @Override
    default void close() throws IOException {}

    static EntryIterator empty() {
        return of(List.of());
    }

    /** Over a list already in {@link PathOrder}. */
    static EntryIterator of(List<FileEntry> entries) {
        return new EntryIterator() {
            private int i;

            @Override
            public FileEntry peek() {
                return i < entries.size() ? entries.get(i) : null;
            }

            @Override
            public FileEntry next() {
                return i < entries.size() ? entries.get(i++) : null;
            }
        };
    }

    /** Skips entries before {@code path}; returns the entry at {@code path} (consumed) or null. */
    default FileEntry seek(String path) throws IOException {
        FileEntry e = peek();
        while (e != null && PathOrder.compare(e.path(), path) < 0) {
            next();
            e = peek();
        }
        if (e != null && e.path().equals(path)) {
            return next();
        }
        return null;
    }
}
