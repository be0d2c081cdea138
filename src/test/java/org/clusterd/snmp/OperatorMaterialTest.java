package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.clusterd.cluster.ClusterEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped operator material works against the agent: every Nagios service in
 * etc/nagios/clusterd.cfg runs with check_snmp and gives the state the sample view calls for; every
 * OID of the Zabbix template answers (discovery rules find the rows); the example
 * etc/snmptrapd.conf logs, pages and forwards a takeover notification.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorMaterialTest {
    private FakeClusterService service;
    private SnmpAgent agent;
    private String port;

    @TempDir
    Path dir;

    @BeforeAll
    void start() throws IOException {
        service = new FakeClusterService(TestViews.sample());
        agent = AgentFixture.start(service, List.of());
        port = agent.endpoint().substring(agent.endpoint().lastIndexOf(':') + 1);
    }

    @AfterAll
    void stop() {
        agent.close();
        service.close();
    }

    // ---------------------------------------------------------------- Nagios

    @Test
    void everyNagiosServiceGivesTheStateTheSampleViewCallsFor() throws IOException {
        String cfg = Files.readString(Path.of("etc/nagios/clusterd.cfg"));
        Map<String, String> commands = new LinkedHashMap<>();
        Map<String, String> services = new LinkedHashMap<>();
        Matcher m = Pattern.compile("define (command|service) \\{(.*?)\\n\\}", Pattern.DOTALL).matcher(cfg);
        while (m.find()) {
            Map<String, String> d = directives(m.group(2));
            if (m.group(1).equals("command")) {
                commands.put(d.get("command_name"), d.get("command_line"));
            } else {
                services.put(d.get("service_description"), d.get("check_command"));
            }
        }
        // what the sample view says: mail at home, files taken over, link lan down, cluster degraded
        Map<String, Integer> expected = Map.of(
                "clusterd node state", 0,
                "clusterd cluster state", 1,
                "clusterd peer beta alive", 0,
                "clusterd peer alpha alive", 0,
                "clusterd link crossover", 0,
                "clusterd link lan", 2,
                "clusterd group mail on its home alpha", 0,
                "clusterd group files on its home beta", 2,
                "clusterd mirror lag mail-m0", 0,
                "clusterd mirror result mail-m0", 0);
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, String> s : services.entrySet()) {
            String[] parts = s.getValue().split("!");
            String line = commands.get(parts[0]);
            assertThat(line).as("command of %s", s.getKey()).isNotNull();
            for (int i = 1; i < parts.length; i++) {
                line = line.replace("$ARG" + i + "$", parts[i]);
            }
            NetSnmp.Result r = runNagiosCommand(line);
            assertThat(r.exit()).as("%s: %s -> %s", s.getKey(), line, r.all()).isEqualTo(expected.get(s.getKey()));
        }
        // the v2c command works too
        NetSnmp.Result v2c = runNagiosCommand(commands.get("check_clusterd_snmp_v2c").replace("$ARG1$", ".1.3.6.1.4.1.32473.1.1.1.3.0")
                .replace("$ARG2$", "-w 3:3 -c 2:3"));
        assertThat(v2c.exit()).as(v2c.all()).isZero();
    }

    private NetSnmp.Result runNagiosCommand(String line) {
        String cmd = line.replace("$USER1$", NetSnmp.tool("check_snmp").getParent().toString())
                .replace("$HOSTADDRESS$", "127.0.0.1 -p " + port)
                .replace("$USER5$", AgentFixture.USER).replace("$USER6$", AgentFixture.AUTH).replace("$USER7$", AgentFixture.PRIV)
                .replace("$USER8$", AgentFixture.COMMUNITY);
        assertThat(cmd).doesNotContain("$");
        return NetSnmp.exec(List.of("/bin/sh", "-c", cmd), Map.of());
    }

    private static Map<String, String> directives(String body) {
        Map<String, String> d = new LinkedHashMap<>();
        for (String l : body.split("\n")) {
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            int sp = t.indexOf(' ');
            String value = t.substring(sp + 1).strip();
            int comment = value.indexOf(" ;");
            d.put(t.substring(0, sp), comment >= 0 ? value.substring(0, comment).strip() : value);
        }
        return d;
    }

    // ---------------------------------------------------------------- Zabbix

    @Test
    void theZabbixTemplateDiscoversEveryTableAndEveryOidAnswers() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Path.of("etc/zabbix/clusterd_template.yaml").toFile())
                .get("zabbix_export").get("templates").get(0);
        String name = template.get("template").asText();
        Set<String> keys = new HashSet<>();
        Set<String> uuids = new HashSet<>();
        List<JsonNode> agentItems = new ArrayList<>();
        Set<String> valuemaps = new TreeSet<>();
        template.get("valuemaps").forEach(v -> valuemaps.add(v.get("name").asText()));
        List<JsonNode> triggers = new ArrayList<>();
        for (JsonNode item : template.get("items")) {
            collect(item, keys, uuids, triggers, valuemaps);
            if (item.get("type").asText().equals("SNMP_AGENT")) {
                agentItems.add(item);
            } else {
                assertThat(item.get("type").asText()).isEqualTo("SNMP_TRAP");
                Matcher trap = Pattern.compile("snmptrap\\[\"(clusterd\\w+)\"\\]").matcher(item.get("key").asText());
                if (trap.matches()) {
                    assertThat(Files.readString(Path.of("mibs/CLUSTERD-MIB.txt"))).contains(trap.group(1) + " NOTIFICATION-TYPE");
                }
            }
        }
        for (JsonNode item : agentItems) {
            assertAnswers(item.get("snmp_oid").asText());
        }
        Map<String, Integer> rows = new LinkedHashMap<>();
        for (JsonNode rule : template.get("discovery_rules")) {
            uuids.add(rule.get("uuid").asText());
            Matcher d = Pattern.compile("discovery\\[\\{#\\w+},([0-9.]+)]").matcher(rule.get("snmp_oid").asText());
            assertThat(d.matches()).as(rule.get("snmp_oid").asText()).isTrue();
            Map<String, String> names = Walks.parse(NetSnmp.run("snmpwalk", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(),
                    "-On", d.group(1))).out());
            rows.put(rule.get("name").asText(), names.size());
            for (JsonNode proto : rule.get("item_prototypes")) {
                collect(proto, keys, uuids, triggers, valuemaps);
                for (String oid : names.keySet()) {
                    String index = oid.substring(oid.lastIndexOf('.') + 1);
                    assertAnswers(proto.get("snmp_oid").asText().replace("{#SNMPINDEX}", index));
                }
            }
        }
        assertThat(rows).containsExactly(Map.entry("Nodes", 2), Map.entry("Heartbeat links", 2), Map.entry("Service groups", 4),
                Map.entry("Mirror sets", 8));
        for (JsonNode t : triggers) {
            Matcher ref = Pattern.compile("/" + Pattern.quote(name) + "/([^,)]+)").matcher(t.get("expression").asText());
            int n = 0;
            while (ref.find()) {
                n++;
                assertThat(keys).as("trigger %s refers to an item of the template", t.get("name")).contains(ref.group(1));
            }
            assertThat(n).as("trigger %s refers to an item", t.get("name")).isPositive();
        }
        assertThat(uuids).allMatch(u -> u.matches("[0-9a-f]{32}"));
    }

    private void collect(JsonNode item, Set<String> keys, Set<String> uuids, List<JsonNode> triggers, Set<String> valuemaps) {
        assertThat(keys.add(item.get("key").asText())).as("unique key %s", item.get("key")).isTrue();
        assertThat(uuids.add(item.get("uuid").asText())).as("unique uuid").isTrue();
        if (item.has("valuemap")) {
            assertThat(valuemaps).contains(item.get("valuemap").get("name").asText());
        }
        for (String field : List.of("triggers", "trigger_prototypes")) {
            if (item.has(field)) {
                item.get(field).forEach(t -> {
                    assertThat(uuids.add(t.get("uuid").asText())).as("unique uuid").isTrue();
                    triggers.add(t);
                });
            }
        }
    }

    private void assertAnswers(String oid) {
        NetSnmp.Result r = NetSnmp.run("snmpget", NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, AgentFixture.PRIV, agent.endpoint(),
                oid));
        assertThat(r.exit()).as(oid + ": " + r.all()).isZero();
        assertThat(r.out()).as(oid).doesNotContain("No Such");
    }

    // ---------------------------------------------------------------- snmptrapd

    @Test
    void theExampleSnmptrapdConfigLogsPagesAndForwardsATakeover() throws Exception {
        Path pager = dir.resolve("page.sh");
        Path pages = dir.resolve("pages.txt");
        Files.writeString(pager, "#!/bin/sh\nmsg=$(cat)\ncase \"$msg\" in *\"clusterdEventSeverity.0 critical\"*)\n"
                + "  printf '%s\\nEND\\n' \"$msg\" >> " + pages + " ;;\nesac\n");
        Files.setPosixFilePermissions(pager, PosixFilePermissions.fromString("rwx------"));
        try (TrapReceiver nms = new TrapReceiver(dir.resolve("nms"))) {
            String conf = Files.readString(Path.of("etc/snmptrapd.conf"))
                    .replace("CHANGE-ME-COMMUNITY", AgentFixture.COMMUNITY)
                    .replace("CHANGE-ME-AUTH-PASSPHRASE", AgentFixture.AUTH)
                    .replace("CHANGE-ME-PRIV-PASSPHRASE", AgentFixture.PRIV)
                    .replace("/usr/local/sbin/clusterd-page", pager.toString())
                    .replace("udp:nms.example.org:162", "udp:127.0.0.1:" + nms.port);
            assertThat(conf).doesNotContain("CHANGE-ME", "nms.example.org");
            try (TrapReceiver example = new TrapReceiver(dir.resolve("example"), conf);
                 FakeClusterService s = new FakeClusterService(TestViews.sample());
                 SnmpAgent a = AgentFixture.start(s, List.of(AgentFixture.v2cTrap(example.port),
                         AgentFixture.v3Inform(example.port, 1000, 2)))) {
                assertThat(example.text()).doesNotContain("Warning", "Error", "rror:", "nknown");
                s.push(new ClusterEvent.TakeoverStarted(System.currentTimeMillis(), "alpha", "files", "beta", "beta is dead", true));
                s.push(new ClusterEvent.GroupStarted(System.currentTimeMillis(), "alpha", "files", 12));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> example.text().lines().filter(l -> l.contains("clusterdGroupStarted")).count() == 2);
                String log = example.text();
                assertThat(log.lines().filter(l -> l.contains("clusterdTakeoverStarted"))).hasSize(2); // trap and inform
                assertThat(log).contains("[127.0.0.1]").contains("beta is dead");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> Files.exists(pages) && Files.readString(pages).split("END").length >= 2);
                String paged = Files.readString(pages);
                assertThat(paged).contains("clusterdTakeoverStarted").contains("beta is dead").doesNotContain("clusterdGroupStarted");
                // forwarded to the NMS with everything on board (v2c trap and inform each forwarded)
                String fwd = nms.awaitTrap(l -> l.contains("clusterdTakeoverStarted"), Duration.ofSeconds(5));
                assertThat(fwd).contains("clusterdEventGroup.0 = STRING: files").contains("snmpModules.18.1.3.0 = IpAddress: 127.0.0.1");
                nms.awaitTrap(l -> l.contains("clusterdGroupStarted"), Duration.ofSeconds(5));
            }
        }
    }
}
