package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The MIB file itself: clean for libsmi at its strictest level, loadable by net-snmp, and matching the code's OIDs. */
class MibFileTest {
    @Test
    void smilintAtLevelSixReportsNothing() {
        NetSnmp.Result r = NetSnmp.exec(List.of(NetSnmp.tool("smilint").toString(), "-l", "6", "mibs/CLUSTERD-MIB.txt"),
                Map.of("SMIPATH", NetSnmp.MIBS.toString()));
        // smilint exits 0 even when it reports errors: any output is a failure
        assertThat(r.all()).as("smilint output").isEmpty();
        assertThat(r.exit()).isZero();
    }

    @Test
    void netSnmpLoadsTheModuleWithoutComplaint() {
        List<String> args = new java.util.ArrayList<>(NetSnmp.MIB_ARGS);
        args.addAll(List.of("-On", "CLUSTERD-MIB::clusterdMirrorLag", "CLUSTERD-MIB::clusterdTakeoverStarted",
                "CLUSTERD-MIB::clusterdAgent", "CLUSTERD-MIB::clusterdEventReason"));
        NetSnmp.Result r = NetSnmp.run("snmptranslate", args);
        assertThat(r.err().lines().filter(l -> !l.startsWith("Created directory"))).as("stderr").isEmpty();
        assertThat(r.out().lines().filter(l -> !l.isBlank())).containsExactly(
                "." + ClusterMib.child(ClusterMib.MIRROR_ENTRY, 7),
                "." + EventNotifications.trapOid("TakeoverStarted"),
                "." + ClusterMib.AGENT,
                "." + ClusterMib.child(ClusterMib.EVENT_OBJECTS, 6));
    }
}
