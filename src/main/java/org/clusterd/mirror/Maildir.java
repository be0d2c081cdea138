package org.clusterd.mirror;

/**
 * Maildir message paths: a file directly in a {@code cur} or {@code new} directory. A message is
 * identified by its maildir and the unique part of its name before {@code :}, so {@code new/X} and
 * {@code cur/X:2,S} are one message whose flags differ.
 */
public final class Maildir {
    private Maildir() {}

    /** {@code maildir-path + "/" + unique name}, or null if the path is not a message file. */
    public static String key(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return null;
        }
        String dir = path.substring(0, slash);
        int dslash = dir.lastIndexOf('/');
        String leaf = dir.substring(dslash + 1);
        if (!leaf.equals("cur") && !leaf.equals("new")) {
            return null;
        }
        String maildir = dslash < 0 ? "" : dir.substring(0, dslash);
        String name = path.substring(slash + 1);
        int colon = name.indexOf(':');
        return maildir + "/" + (colon < 0 ? name : name.substring(0, colon));
    }

    /** Whether a directory path is a maildir's {@code cur}, {@code new} or {@code tmp}. */
    public static boolean isMailSubdir(String dirPath) {
        String leaf = dirPath.substring(dirPath.lastIndexOf('/') + 1);
        return leaf.equals("cur") || leaf.equals("new") || leaf.equals("tmp");
    }
}
