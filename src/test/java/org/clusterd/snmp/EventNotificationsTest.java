package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.ResyncPhase;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.VariableBinding;

class EventNotificationsTest {
    /** One event of every type there is. */
    static List<ClusterEvent> oneOfEach(long t) {
        return List.of(
                new ClusterEvent.NodeUp(t, "alpha", "beta", 7),
                new ClusterEvent.NodeDown(t, "alpha", "beta", "silent"),
                new ClusterEvent.LinkUp(t, "alpha", "lan"),
                new ClusterEvent.LinkDown(t, "alpha", "lan", 3000),
                new ClusterEvent.TakeoverStarted(t, "alpha", "mail", "beta", "dead", true),
                new ClusterEvent.GroupStarted(t, "alpha", "mail", 4),
                new ClusterEvent.GroupStopped(t, "alpha", "mail", "operator"),
                new ClusterEvent.GroupFailed(t, "alpha", "mail", "postfix exited 1"),
                new ClusterEvent.HandoverStarted(t, "alpha", "files", "beta", "failback"),
                new ClusterEvent.HandoverCompleted(t, "alpha", "files", "beta"),
                new ClusterEvent.ResyncStarted(t, "alpha", "files", ResyncPhase.BULK, "beta"),
                new ClusterEvent.ResyncCompleted(t, "alpha", "files", ResyncPhase.FINAL, "12 files"),
                new ClusterEvent.ResyncFailed(t, "alpha", "files", ResyncPhase.FINAL, "disk full"),
                new ClusterEvent.StandbyEntered(t, "alpha", "operator"),
                new ClusterEvent.StandbyLeft(t, "alpha"),
                new ClusterEvent.SplitBrain(t, "alpha", "mail", 5, 6, "beta"),
                new ClusterEvent.StopFailed(t, "alpha", "mail", "timeout"),
                new ClusterEvent.PublicNetworkLost(t, "alpha", 0, 2),
                new ClusterEvent.LocalPause(t, "alpha", 5000),
                new ClusterEvent.StandDownOrdered(t, "alpha", "beta"),
                new ClusterEvent.OrphanFound(t, "alpha", "mail", "adopted"),
                new ClusterEvent.TakeoverDeferred(t, "alpha", "no ping node reached"));
    }

    @Test
    void everyEventTypeHasANotificationOfItsOwnDefinedInTheMib() throws Exception {
        String mib = Files.readString(Path.of("mibs/CLUSTERD-MIB.txt"));
        Matcher m = Pattern.compile("(clusterd\\w+) NOTIFICATION-TYPE.*?::= \\{ clusterdNotifications (\\d+) \\}", Pattern.DOTALL)
                .matcher(mib);
        Map<String, Integer> defined = new HashMap<>();
        while (m.find()) {
            defined.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(defined).hasSize(EventNotifications.BY_TYPE.size() + 1).containsEntry("clusterdEvent", EventNotifications.GENERIC);
        EventNotifications.BY_TYPE.forEach((type, sub) -> assertThat(defined).containsEntry("clusterd" + type, sub));
        Set<OID> seen = new HashSet<>();
        for (ClusterEvent e : oneOfEach(1)) {
            OID oid = EventNotifications.of(e).trapOid();
            assertThat(oid.last()).as(e.type()).isNotEqualTo(EventNotifications.GENERIC);
            assertThat(seen.add(oid)).as("distinct notification for %s", e.type()).isTrue();
        }
    }

    @Test
    void eventTypesThatComeLaterAreMatchedByNameAndUnknownOnesAreStillSent() {
        assertThat(EventNotifications.trapOid("MirrorFailed")).isEqualTo(new OID("1.3.6.1.4.1.32473.1.0.24"));
        assertThat(EventNotifications.trapOid("ConflictDetected")).isEqualTo(new OID("1.3.6.1.4.1.32473.1.0.25"));
        assertThat(EventNotifications.trapOid("TakeoverCompleted")).isEqualTo(new OID("1.3.6.1.4.1.32473.1.0.6"));
        assertThat(EventNotifications.trapOid("SomethingNew")).isEqualTo(new OID("1.3.6.1.4.1.32473.1.0.26"));
    }

    @Test
    void theEventNodeIsTheNodeTheEventIsAbout() {
        Map<String, String> node = new HashMap<>();
        for (ClusterEvent e : oneOfEach(1)) {
            node.put(e.type(), EventNotifications.concernedNode(e));
        }
        assertThat(node).containsEntry("NodeDown", "beta").containsEntry("NodeUp", "beta").containsEntry("TakeoverStarted", "beta")
                .containsEntry("HandoverStarted", "beta").containsEntry("ResyncStarted", "beta")
                .containsEntry("StandDownOrdered", "beta").containsEntry("StandbyEntered", "alpha")
                .containsEntry("GroupFailed", "alpha");
    }

    @Test
    void carriesTypeSeverityReporterNodeGroupReasonAndTime() {
        ClusterEvent e = new ClusterEvent.LinkDown(1_795_000_000_000L, "alpha", "lan", 3000);
        List<VariableBinding> vbs = EventNotifications.of(e).objects();
        assertThat(vbs).extracting(vb -> vb.getOid().toString()).containsExactly(
                "1.3.6.1.4.1.32473.1.1.7.1.0", "1.3.6.1.4.1.32473.1.1.7.2.0", "1.3.6.1.4.1.32473.1.1.7.3.0",
                "1.3.6.1.4.1.32473.1.1.7.4.0", "1.3.6.1.4.1.32473.1.1.7.5.0", "1.3.6.1.4.1.32473.1.1.7.6.0",
                "1.3.6.1.4.1.32473.1.1.7.7.0");
        assertThat(vbs.get(0).getVariable()).isEqualTo(new OctetString("LinkDown"));
        assertThat(vbs.get(1).getVariable().toInt()).isEqualTo(2);
        assertThat(vbs.get(4).getVariable()).as("no group").isEqualTo(new OctetString());
        assertThat(vbs.get(5).getVariable()).isEqualTo(new OctetString(e.message()));
        assertThat(((OctetString) vbs.get(6).getVariable()).length()).isEqualTo(11);
    }
}
