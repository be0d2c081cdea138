package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NavigableMap;

import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;

/** Rendering a view into MIB instances, without any network. */
class ClusterMibTest {
    private static Variable at(NavigableMap<OID, Variable> m, String oid) {
        return m.get(new OID(oid));
    }

    @Test
    void rendersOneInstancePerFieldOfTheSampleView() {
        NavigableMap<OID, Variable> m = ClusterMib.render(TestViews.sample(), new ClusterMib.Rows(), 0);
        assertThat(m).hasSize(9 + 4 + 8 * 2 + 9 * 2 + 8 * 4 + 9 * 8);
        assertThat(m.keySet()).allMatch(o -> o.startsWith(ClusterMib.OBJECTS));
        assertThat(m.keySet()).allMatch(o -> ClusterMib.OBJECT_TYPES.stream().anyMatch(o::startsWith));
        assertThat(at(m, "1.3.6.1.4.1.32473.1.1.1.1.0")).isEqualTo(new OctetString("office"));
        assertThat(at(m, "1.3.6.1.4.1.32473.1.1.5.1.2.4")).isEqualTo(new OctetString("db"));
        assertThat(at(m, "1.3.6.1.4.1.32473.1.1.5.1.4.4")).as("no owner").isEqualTo(new OctetString());
    }

    @Test
    void clampsWhatDoesNotFitTheSnmpType() {
        assertThat(MibValues.counter32(0x1_0000_0005L)).isEqualTo(new Counter32(5));
        assertThat(MibValues.counter32(-7)).isEqualTo(new Counter32(0));
        assertThat(MibValues.unsigned32(1L << 40)).isEqualTo(new UnsignedInteger32(0xFFFF_FFFFL));
        assertThat(MibValues.ageOrMinusOne(-5)).isEqualTo(new Integer32(-1));
        assertThat(MibValues.ageOrMinusOne(1L << 40)).isEqualTo(new Integer32(Integer.MAX_VALUE));
        assertThat(MibValues.display("naïve\nname", 32)).isEqualTo(new OctetString("na?ve?name"));
        assertThat(MibValues.display("x".repeat(40), 32).length()).isEqualTo(32);
    }

    @Test
    void cutsUtf8TextAtACharacterBoundary() {
        OctetString s = MibValues.utf8("é".repeat(300));
        assertThat(s.length()).isEqualTo(254);
        assertThat(new String(s.getValue(), StandardCharsets.UTF_8)).isEqualTo("é".repeat(127));
        assertThat(MibValues.utf8(null).length()).isZero();
    }

    @Test
    void encodesTimesAsUtcDateAndTimeAndNeverAsEmpty() {
        // 2026-11-18 11:06:40.123 UTC
        assertThat(MibValues.time(1_795_000_000_123L).getValue()).containsExactly(
                0x07, 0xEA, 11, 18, 11, 6, 40, 1, '+', 0, 0);
        assertThat(MibValues.time(-1).length()).isZero();
        assertThat(MibValues.time(0).length()).isZero();
    }

    @Test
    void mapsStateNamesWhateverTheirCaseAndUnknownOnesToOther() {
        assertThat(MibValues.enumValue("RESYNC_BULK", ClusterMib.GROUP_STATES).toInt()).isEqualTo(6);
        assertThat(MibValues.enumValue("resyncBulk", ClusterMib.GROUP_STATES).toInt()).isEqualTo(6);
        assertThat(MibValues.enumValue("splitBrain", ClusterMib.CLUSTER_STATES).toInt()).isEqualTo(7);
        assertThat(MibValues.enumValue("EXPLODED", ClusterMib.NODE_STATES).toInt()).isEqualTo(1);
        assertThat(MibValues.enumValue(null, ClusterMib.LINK_STATES).toInt()).isEqualTo(1);
    }

    @Test
    void rowsKeepTheirNumbersWhenRowsComeGoAndReorder() {
        ClusterMib.Rows rows = new ClusterMib.Rows();
        ClusterView v = TestViews.sample();
        ClusterMib.render(v, rows, 0);
        List<ClusterView.GroupView> fewer = List.of(v.groups().get(3), v.groups().get(1),
                new ClusterView.GroupView("new", "alpha", "alpha", "RUNNING", 1, -1, 0, "OK"));
        ClusterView changed = new ClusterView(v.cluster(), v.node(), v.state(), v.generatedAtMillis(), v.stats(), v.timers(),
                v.nodes(), v.links(), fewer, v.mirrors(), v.endpoints(), v.events());
        NavigableMap<OID, Variable> m = ClusterMib.render(changed, rows, 0);
        OID names = ClusterMib.child(ClusterMib.GROUP_ENTRY, 2);
        assertThat(m.subMap(names, true, names.nextPeer(), false)).containsExactly(
                java.util.Map.entry(ClusterMib.child(names, 2), new OctetString("files")),
                java.util.Map.entry(ClusterMib.child(names, 4), new OctetString("db")),
                java.util.Map.entry(ClusterMib.child(names, 5), new OctetString("new")));
    }
}
