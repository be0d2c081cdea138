package org.clusterd.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TempNamesTest {
    @Test
    void namesAreTemporaryAndNeverRepeatWithinOrAcrossSessions() {
        TempNames a = new TempNames();
        TempNames b = new TempNames();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String x = a.next();
            String y = b.next();
            assertTrue(x.startsWith(Excludes.TEMP_PREFIX), x);
            assertTrue(seen.add(x), x);
            assertTrue(seen.add(y), y);
        }
        assertEquals(20_000, seen.size());
        assertNotEquals(a.next().replaceAll("-\\d+$", ""), b.next().replaceAll("-\\d+$", ""));
    }

    @Test
    void namesAreNotTakenForLandingDirectories() {
        assertTrue(!new TempNames().next().startsWith(LandingDirs.PREFIX));
    }
}
