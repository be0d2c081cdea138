package org.clusterd.mirror;

import java.io.IOException;

/**
 * Applies differences, in {@link PathOrder}, to a sorted base and writes the result in order: every
 * base entry the differences do not name, each changed entry in its place, no gone path. The owner
 * rebuilds the peer's whole scan like this from the last common sync, and the peer its new manifest
 * from the old one. Differences out of order are refused, so the result stays sorted.
 */
final class ChangeMerge implements Scanner.Differences {
    private final EntryIterator base;
    private final Scanner.Sink out;
    private String last;

    ChangeMerge(EntryIterator base, Scanner.Sink out) {
        this.base = base;
        this.out = out;
    }

    @Override
    public void changed(FileEntry e) throws IOException {
        skipTo(e.path());
        out.accept(e);
    }

    @Override
    public void gone(String path) throws IOException {
        skipTo(path);
    }

    /** Copies the base entries before {@code path} and drops the base's own entry at it. */
    private void skipTo(String path) throws IOException {
        if (last != null && PathOrder.compare(last, path) >= 0) {
            throw new Frames.BadFrame("differences out of order: " + path + " after " + last);
        }
        last = path;
        for (FileEntry k = base.peek(); k != null && PathOrder.compare(k.path(), path) < 0; k = base.peek()) {
            out.accept(base.next());
        }
        FileEntry k = base.peek();
        if (k != null && k.path().equals(path)) {
            base.next();
        }
    }

    /** Copies the rest of the base. */
    void finish() throws IOException {
        for (FileEntry k = base.next(); k != null; k = base.next()) {
            out.accept(k);
        }
    }

    /**
     * The differences that turn {@code old} into {@code now} (both sorted): what {@link ChangeMerge}
     * applied to {@code old} makes {@code now} again.
     *
     * @return how many there were
     */
    static long diff(EntryIterator old, EntryIterator now, Scanner.Differences to) throws IOException {
        long n = 0;
        FileEntry o = old.next();
        FileEntry e = now.next();
        while (o != null || e != null) {
            int c = o == null ? 1 : e == null ? -1 : PathOrder.compare(o.path(), e.path());
            if (c < 0) {
                to.gone(o.path());
                n++;
                o = old.next();
            } else if (c > 0) {
                to.changed(e);
                n++;
                e = now.next();
            } else {
                if (!o.equals(e)) {
                    to.changed(e);
                    n++;
                }
                o = old.next();
                e = now.next();
            }
        }
        return n;
    }
}
