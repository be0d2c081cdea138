package org.clusterd.mirror;

import java.util.Comparator;

/**
 * The one order of paths that scans, manifests and the planner share: component by component, each
 * compared as a Java string. It equals a depth-first walk that visits a directory's children sorted by
 * name, so a scan can be written in order without sorting the whole tree: {@code a < a/x < a-b}.
 */
public final class PathOrder {
    public static final Comparator<String> COMPARATOR = PathOrder::compare;

    private PathOrder() {}

    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x == '/') {
                    return -1;
                }
                if (y == '/') {
                    return 1;
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
