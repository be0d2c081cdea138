package org.clusterd.resource;

/** Quoting for words put into a {@code /bin/sh -c} command line. */
final class Shell {
    private Shell() {}

    /** {@code it's} becomes {@code 'it'\''s'}: safe as one word for any POSIX shell. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
