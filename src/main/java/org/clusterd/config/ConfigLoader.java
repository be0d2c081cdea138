package org.clusterd.config;

import java.io.IOException;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Turns one node's YAML file into a validated {@link ClusterConfig}, or rejects it with a
 * {@link ConfigException} naming the file, the 1-based line, the dotted key and the reason. It stops
 * at the first fault; it never returns a partly checked configuration.
 *
 * <p>The file is composed into SnakeYAML's node tree (not bound to objects), so every value keeps its
 * line and its raw text. Then each section is read by a small method, in this order: names, key
 * file, state directory, control, timers, links, ping nodes, failure policy, groups (with their mirror
 * sets), notify, mirror. Relative
 * paths resolve against the file's directory. The only outside lookups are the key file, whether the
 * state directory is a directory if it exists, and the DNS lookup of link host names.
 */
public final class ConfigLoader {
    static final int MAX_FILE_BYTES = 1 << 20;
    static final long DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    private static final List<String> TOP_KEYS = List.of("cluster", "node", "peer", "keyFile", "stateDir", "control",
            "timers", "links", "pingNodes", "failurePolicy", "groups", "notify", "snmp", "mirror");
    private static final List<String> CONTROL_KEYS = List.of("port", "tokenFile");
    private static final List<String> TIMER_KEYS = List.of("heartbeatInterval", "warnTime", "deadTime", "initDead");
    private static final List<String> LINK_KEYS = List.of("name", "local", "peer");
    private static final List<String> POLICY_KEYS = List.of("restartLimit", "maxFailovers", "window", "monitorInterval");
    private static final List<String> GROUP_KEYS = List.of("name", "home", "failback", "resources", "mirrors");
    private static final List<String> MIRROR_KEYS = List.of("listen", "peer", "keystore", "truststore", "passwordFile",
            "trashMaxBytes");
    private static final List<String> MIRROR_SET_KEYS = List.of("name", "path", "excludes", "schedule", "policy",
            "maxDeleteShare", "fullChecksum");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([kKmMgGtT]?)");
    private static final List<String> NOTIFY_KEYS = List.of("events", "command", "timeout");
    private static final List<String> SNMP_KEYS = List.of("listen", "source", "communityFile", "users", "trapTargets");
    private static final List<String> SNMP_USER_KEYS = List.of("name", "auth", "authPassphraseFile", "privPassphraseFile");
    private static final List<String> SNMP_TARGET_KEYS = List.of("address", "version", "notify", "communityFile", "user",
            "timeout", "retries");
    static final long DEFAULT_INFORM_TIMEOUT_MS = 5_000;
    static final int DEFAULT_INFORM_RETRIES = 3;
    private static final long MAX_INFORM_TIMEOUT_MS = 60_000;
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Z][A-Za-z0-9]{0,63}");
    private static final InetAddress LOOPBACK = Addresses.literal("127.0.0.1");

    private final Path file;
    private final Path dir;
    private final HostResolver resolver;

    private ConfigLoader(Path file, HostResolver resolver) {
        this.file = file;
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.dir = parent != null ? parent : file.toAbsolutePath().getRoot();
        this.resolver = resolver;
    }

    /** Loads and validates one node's configuration file. */
    public static ClusterConfig load(Path file) throws ConfigException {
        return load(file, HostResolver.SYSTEM);
    }

    /** As {@link #load(Path)}, looking host names up with {@code resolver}. */
    static ClusterConfig load(Path file, HostResolver resolver) throws ConfigException {
        ClusterConfig config = new ConfigLoader(file, resolver).load();
        log.debug("Loaded {} from {}", config, file);
        return config;
    }

    private ClusterConfig load() throws ConfigException {
        Node root = compose(read());
        if (root == null || new ConfigNode(file, "", root).isNull()) {
            throw new ConfigException(file, 1, "(file)", "the file is empty; see etc/clusterd.yaml for a commented example");
        }
        ConfigMap top = new ConfigNode(file, "", root).map(TOP_KEYS);
        String cluster = top.required("cluster").name();
        String node = top.required("node").name();
        ConfigNode peerNode = top.required("peer");
        String peer = peerNode.name();
        if (peer.equals(node)) {
            throw peerNode.error("peer must name the other node, not this node '" + node + "'");
        }
        ConfigNode keyNode = top.required("keyFile");
        keyNode.nonBlank();
        byte[] key = keyNode.parse(s -> KeyFiles.read(path(s)));
        Path stateDir = stateDir(top.required("stateDir"));
        ControlConfig control = control(top.required("control").map(CONTROL_KEYS), stateDir);
        Timers timers = timers(top.optional("timers"));
        List<LinkConfig> links = links(top.required("links"), control);
        List<PingNode> pingNodes = pingNodes(top.optional("pingNodes"));
        FailurePolicy policy = failurePolicy(top.optional("failurePolicy"));
        List<GroupConfig> groups = groups(top.optional("groups"), node, peer, policy);
        List<NotifyConfig> notifiers = notifiers(top.optional("notify"));
        Optional<SnmpConfig> snmp = top.has("snmp")
                ? Optional.of(snmp(top.required("snmp").map(SNMP_KEYS), stateDir, links))
                : Optional.empty();
        Optional<MirrorConfig> mirror = mirror(top.optional("mirror"), control);
        if (mirror.isEmpty()) {
            requireNoMirrorSets(top.optional("groups"));
        }
        return new ClusterConfig(file, cluster, node, peer, key, stateDir, control, timers, links, pingNodes, policy,
                groups, notifiers, snmp, mirror);
    }

    // ---------------------------------------------------------------- reading and parsing

    private String read() throws ConfigException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(file, 1, "(file)", "larger than " + MAX_FILE_BYTES + " bytes; is it the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 1, "(file)", "no such file");
        } catch (IOException | SecurityException e) {
            throw new ConfigException(file, 1, "(file)", "cannot read: " + e);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new ConfigException(file, line, "(file)", "not valid UTF-8 text");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private Node compose(String text) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(MAX_FILE_BYTES);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            String context = "";
            if (e.getProblem() != null && e.getContext() != null) {
                Mark at = e.getContextMark();
                context = " (" + e.getContext()
                        + (at != null && mark != null && at.getLine() != mark.getLine() ? " started at line " + (at.getLine() + 1) : "")
                        + ")";
            }
            throw new ConfigException(file, mark == null ? 1 : mark.getLine() + 1, "(file)",
                    "YAML syntax error: " + problem + context);
        } catch (ReaderException e) {
            throw new ConfigException(file, lineOfCodePoint(text, e.getPosition()), "(file)",
                    String.format("character U+%04X is not allowed in a YAML file", e.getCodePoint()));
        } catch (YAMLException e) {
            throw new ConfigException(file, 1, "(file)", "YAML error: " + e.getMessage());
        }
    }

    private static int lineOfCodePoint(String text, int codePointIndex) {
        int line = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePointIndex; i += Character.charCount(text.codePointAt(i)), seen++) {
            line += text.charAt(i) == '\n' ? 1 : 0;
        }
        return line;
    }

    /** Resolves a path from the file against the file's directory. */
    private Path path(String s) {
        try {
            return dir.resolve(s.strip()).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + s + "' is not a valid path: " + e.getReason(), e);
        }
    }

    private Path nonBlankPath(ConfigNode node) throws ConfigException {
        node.nonBlank();
        return node.parse(this::path);
    }

    // ---------------------------------------------------------------- sections

    private Path stateDir(ConfigNode node) throws ConfigException {
        Path p = nonBlankPath(node);
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw node.error(p + " exists and is not a directory");
        }
        return p;
    }

    private ControlConfig control(ConfigMap m, Path stateDir) throws ConfigException {
        int port = m.required("port").port();
        Path token = m.has("tokenFile") ? nonBlankPath(m.required("tokenFile")) : stateDir.resolve("control.token");
        return new ControlConfig(port, token);
    }

    private static long duration(ConfigMap m, String key, long dflt) throws ConfigException {
        return m.has(key) ? m.required(key).positiveDuration() : dflt;
    }

    private static Timers timers(Optional<ConfigNode> node) throws ConfigException {
        if (node.isEmpty()) {
            return Timers.DEFAULTS;
        }
        ConfigMap m = node.get().map(TIMER_KEYS);
        Timers d = Timers.DEFAULTS;
        long hb = duration(m, "heartbeatInterval", d.heartbeatIntervalMs());
        long warn = duration(m, "warnTime", d.warnMs());
        long dead = duration(m, "deadTime", d.deadMs());
        long initDead = duration(m, "initDead", d.initDeadMs());
        String hbText = "heartbeatInterval (" + Durations.format(hb) + ")";
        if (warn < hb) {
            throw blame(m, "warnTime", "heartbeatInterval",
                    "warnTime (" + Durations.format(warn) + ") must be at least " + hbText);
        }
        if (dead < 2 * hb) {
            throw blame(m, "deadTime", "heartbeatInterval",
                    "deadTime (" + Durations.format(dead) + ") must be at least twice " + hbText);
        }
        if (dead <= warn) {
            throw blame(m, "deadTime", "warnTime", "deadTime (" + Durations.format(dead)
                    + ") must be longer than warnTime (" + Durations.format(warn) + ")");
        }
        if (initDead < dead) {
            throw blame(m, "initDead", "deadTime", "initDead (" + Durations.format(initDead)
                    + ") must be at least deadTime (" + Durations.format(dead) + ")");
        }
        return new Timers(hb, warn, dead, initDead);
    }

    /**
     * A rule between two keys is reported at {@code key} if the file sets it (or sets neither),
     * otherwise at {@code other}, the one the file did set to a value that breaks the rule.
     */
    private static ConfigException blame(ConfigMap m, String key, String other, String reason) {
        return m.has(key) || !m.has(other) ? m.errorAt(key, reason) : m.errorAt(other, reason);
    }

    private List<LinkConfig> links(ConfigNode node, ControlConfig control) throws ConfigException {
        List<ConfigNode> items = node.list();
        if (items.isEmpty()) {
            throw node.error("at least one link is required (two or more on separate networks are recommended)");
        }
        InetSocketAddress controlAddress = new InetSocketAddress(LOOPBACK, control.port());
        List<LinkConfig> links = new ArrayList<>();
        Map<String, ConfigNode> names = new HashMap<>();
        List<ConfigNode> localNodes = new ArrayList<>();
        for (ConfigNode item : items) {
            ConfigMap m = item.map(LINK_KEYS);
            ConfigNode nameNode = m.required("name");
            String name = nameNode.uniqueName(names, "link");
            ConfigNode localNode = m.required("local");
            InetSocketAddress local = localNode.parse(s -> Addresses.hostPort(s, resolver));
            ConfigNode peerNode = m.required("peer");
            InetSocketAddress peer = peerNode.parse(s -> Addresses.hostPort(s, resolver));
            if ((local.getAddress() instanceof Inet4Address) != (peer.getAddress() instanceof Inet4Address)) {
                throw peerNode.error("local and peer addresses must be of the same family (both IPv4 or both IPv6)");
            }
            for (int i = 0; i < links.size(); i++) {
                if (Addresses.clash(local, links.get(i).local())) {
                    throw localNode.error("port " + local.getPort() + " on this host is already bound by "
                            + links.get(i).name() + " (line " + localNodes.get(i).line() + ")");
                }
            }
            if (Addresses.clash(local, controlAddress)) {
                throw localNode.error("port " + local.getPort() + " is also control.port (the control channel binds 127.0.0.1)");
            }
            links.add(new LinkConfig(name, local, peer));
            localNodes.add(localNode);
        }
        if (links.size() == 1) {
            log.warn("{}: only one link ({}) is configured: a single failed network or switch will look like a dead peer;"
                    + " add a second link on a separate network", file, links.get(0).name());
        }
        return links;
    }

    private static List<PingNode> pingNodes(Optional<ConfigNode> node) throws ConfigException {
        List<PingNode> out = new ArrayList<>();
        Map<String, ConfigNode> seen = new HashMap<>();
        for (ConfigNode item : node.isPresent() ? node.get().list() : List.<ConfigNode>of()) {
            PingNode p = item.parse(Addresses::pingNode);
            ConfigNode first = seen.putIfAbsent(p.toString(), item);
            if (first != null) {
                throw item.error("ping node " + p + " is listed twice (first at line " + first.line() + ")");
            }
            out.add(p);
        }
        return out;
    }

    private static FailurePolicy failurePolicy(Optional<ConfigNode> node) throws ConfigException {
        if (node.isEmpty()) {
            return FailurePolicy.DEFAULTS;
        }
        ConfigMap m = node.get().map(POLICY_KEYS);
        FailurePolicy d = FailurePolicy.DEFAULTS;
        int restartLimit = m.has("restartLimit") ? m.required("restartLimit").integer(0, 1000) : d.restartLimit();
        int maxFailovers = m.has("maxFailovers") ? m.required("maxFailovers").integer(1, 1000) : d.maxFailovers();
        return new FailurePolicy(restartLimit, maxFailovers, duration(m, "window", d.windowMs()),
                duration(m, "monitorInterval", d.monitorIntervalMs()));
    }

    private List<GroupConfig> groups(Optional<ConfigNode> node, String localNode, String peerNode, FailurePolicy policy)
            throws ConfigException {
        ResourceParser resources = new ResourceParser(dir, policy.monitorIntervalMs());
        List<GroupConfig> groups = new ArrayList<>();
        Map<String, ConfigNode> groupNames = new HashMap<>();
        Map<InetAddress, ConfigNode> addresses = new HashMap<>();
        Map<String, ConfigNode> setNames = new HashMap<>();
        Map<Path, ConfigNode> setPaths = new HashMap<>();
        for (ConfigNode item : node.isPresent() ? node.get().list() : List.<ConfigNode>of()) {
            ConfigMap m = item.map(GROUP_KEYS);
            String name = m.required("name").uniqueName(groupNames, "group");
            ConfigNode homeNode = m.required("home");
            String home = homeNode.name();
            if (!home.equals(localNode) && !home.equals(peerNode)) {
                throw homeNode.error("home must be this node (" + localNode + ") or its peer (" + peerNode + "), not '" + home + "'");
            }
            GroupConfig.Failback failback = GroupConfig.Failback.AUTO;
            if (m.has("failback")) {
                ConfigNode f = m.required("failback");
                failback = switch (f.string().strip()) {
                    case "auto" -> GroupConfig.Failback.AUTO;
                    case "manual" -> GroupConfig.Failback.MANUAL;
                    default -> throw f.error("failback is auto or manual, not '" + f.string().strip() + "'");
                };
            }
            List<ResourceConfig> list = new ArrayList<>();
            Map<String, ConfigNode> resourceNames = new HashMap<>();
            for (ConfigNode r : m.has("resources") ? m.required("resources").list() : List.<ConfigNode>of()) {
                list.add(resources.parse(r, resourceNames, addresses));
            }
            List<MirrorSetConfig> mirrors = new ArrayList<>();
            for (ConfigNode ms : m.has("mirrors") ? m.required("mirrors").list() : List.<ConfigNode>of()) {
                mirrors.add(mirrorSet(ms, setNames, setPaths));
            }
            groups.add(new GroupConfig(name, home, failback, list, mirrors));
        }
        return groups;
    }

    private MirrorSetConfig mirrorSet(ConfigNode item, Map<String, ConfigNode> names, Map<Path, ConfigNode> paths)
            throws ConfigException {
        ConfigMap m = item.map(MIRROR_SET_KEYS);
        String name = m.required("name").uniqueName(names, "mirror set");
        ConfigNode pathNode = m.required("path");
        Path path = nonBlankPath(pathNode);
        if (path.getParent() == null) {
            throw pathNode.error("a mirror set cannot be the root directory");
        }
        for (Map.Entry<Path, ConfigNode> other : paths.entrySet()) {
            if (path.startsWith(other.getKey()) || other.getKey().startsWith(path)) {
                throw pathNode.error(path + " overlaps the mirror set at " + other.getKey() + " (line "
                        + other.getValue().line() + "); sets must not contain each other");
            }
        }
        paths.put(path, pathNode);
        List<String> excludes = new ArrayList<>();
        for (ConfigNode e : m.has("excludes") ? m.required("excludes").list() : List.<ConfigNode>of()) {
            String glob = e.nonBlank().strip();
            e.parse(g -> {
                try {
                    return java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + g);
                } catch (java.util.regex.PatternSyntaxException ex) {
                    throw new IllegalArgumentException("'" + g + "' is not a valid glob: " + ex.getDescription(), ex);
                }
            });
            if (glob.startsWith("/")) {
                throw e.error("exclude '" + glob + "' must be relative to the set's root (no leading /)");
            }
            excludes.add(glob);
        }
        String schedule = MirrorSetConfig.DEFAULT_SCHEDULE;
        if (m.has("schedule")) {
            ConfigNode s = m.required("schedule");
            schedule = s.nonBlank().strip();
            s.parse(c -> {
                try {
                    return new org.quartz.CronExpression(c);
                } catch (java.text.ParseException ex) {
                    throw new IllegalArgumentException("'" + c + "' is not a Quartz cron expression (seconds minutes hours"
                            + " day-of-month month day-of-week, like \"0 */5 * * * ?\"): " + ex.getMessage(), ex);
                }
            });
        }
        MirrorSetConfig.Policy policy = MirrorSetConfig.Policy.COPY;
        if (m.has("policy")) {
            ConfigNode p = m.required("policy");
            policy = switch (p.string().strip()) {
                case "copy" -> MirrorSetConfig.Policy.COPY;
                case "mbox" -> MirrorSetConfig.Policy.MBOX;
                case "maildir" -> MirrorSetConfig.Policy.MAILDIR;
                default -> throw p.error("policy is copy, mbox or maildir, not '" + p.string().strip() + "'");
            };
        }
        double share = MirrorSetConfig.DEFAULT_MAX_DELETE_SHARE;
        if (m.has("maxDeleteShare")) {
            ConfigNode s = m.required("maxDeleteShare");
            share = s.parse(v -> {
                double d;
                try {
                    d = Double.parseDouble(v.strip());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("expected a share between 0 and 1 (like 0.5) but found '" + v + "'", ex);
                }
                if (!(d >= 0 && d <= 1)) {
                    throw new IllegalArgumentException(v.strip() + " is out of range 0..1");
                }
                return d;
            });
        }
        boolean fullChecksum = m.has("fullChecksum") && m.required("fullChecksum").bool();
        return new MirrorSetConfig(name, path, excludes, schedule, policy, share, fullChecksum);
    }

    private Optional<MirrorConfig> mirror(Optional<ConfigNode> node, ControlConfig control) throws ConfigException {
        if (node.isEmpty()) {
            return Optional.empty();
        }
        ConfigMap m = node.get().map(MIRROR_KEYS);
        ConfigNode listenNode = m.required("listen");
        InetSocketAddress listen = listenNode.parse(s -> Addresses.hostPort(s, resolver));
        if (Addresses.clash(listen, new InetSocketAddress(LOOPBACK, control.port()))) {
            throw listenNode.error("port " + listen.getPort() + " is also control.port");
        }
        InetSocketAddress peer = m.required("peer").parse(s -> Addresses.hostPort(s, resolver));
        Path keystore = nonBlankPath(m.required("keystore"));
        Path truststore = nonBlankPath(m.required("truststore"));
        ConfigNode passNode = m.required("passwordFile");
        Path passwordFile = nonBlankPath(passNode);
        if (Files.exists(passwordFile)) {
            passNode.parse(s -> {
                KeyFiles.checkPrivate(passwordFile, "password file");
                return passwordFile;
            });
        }
        long trash = MirrorConfig.DEFAULT_TRASH_MAX_BYTES;
        if (m.has("trashMaxBytes")) {
            trash = m.required("trashMaxBytes").parse(ConfigLoader::bytes);
        }
        return Optional.of(new MirrorConfig(listen, peer, keystore, truststore, passwordFile, trash));
    }

    /** A size in bytes: a whole number with an optional k, m, g or t suffix (powers of 1024). */
    static long bytes(String text) {
        java.util.regex.Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a size like 1073741824, 512m or 1g but found '" + text.strip() + "'");
        }
        int shift = switch (matcher.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long v = Long.parseLong(matcher.group(1));
        if (v > (Long.MAX_VALUE >> 1) >> shift) {
            throw new IllegalArgumentException("'" + text.strip() + "' is too large");
        }
        return v << shift;
    }

    private static void requireNoMirrorSets(Optional<ConfigNode> groups) throws ConfigException {
        for (ConfigNode g : groups.isPresent() ? groups.get().list() : List.<ConfigNode>of()) {
            ConfigMap m = g.map(GROUP_KEYS);
            if (m.has("mirrors") && !m.required("mirrors").list().isEmpty()) {
                throw m.required("mirrors").error("mirror sets need the top-level mirror section"
                        + " (listen, peer, keystore, truststore, passwordFile)");
            }
        }
    }

    private static List<NotifyConfig> notifiers(Optional<ConfigNode> node) throws ConfigException {
        List<NotifyConfig> out = new ArrayList<>();
        for (ConfigNode item : node.isPresent() ? node.get().list() : List.<ConfigNode>of()) {
            ConfigMap m = item.map(NOTIFY_KEYS);
            Set<String> events = new LinkedHashSet<>();
            if (m.has("events")) {
                ConfigNode eventsNode = m.required("events");
                List<ConfigNode> list = eventsNode.list();
                if (list.isEmpty()) {
                    throw eventsNode.error("lists no event; leave events out to be notified of every event");
                }
                for (ConfigNode e : list) {
                    String name = e.string().strip();
                    if (!EVENT_NAME.matcher(name).matches()) {
                        throw e.error("'" + name + "' is not an event type name (like TakeoverCompleted)");
                    }
                    if (!EventTypes.ALL.contains(name)) {
                        throw e.error("unknown event type '" + name + "'; known: " + String.join(", ", EventTypes.ALL));
                    }
                    if (!events.add(name)) {
                        throw e.error("event " + name + " is listed twice");
                    }
                }
            }
            String command = m.required("command").nonBlank();
            long timeout = duration(m, "timeout", DEFAULT_NOTIFY_TIMEOUT_MS);
            out.add(new NotifyConfig(events, command, timeout));
        }
        return out;
    }

    /**
     * The {@code snmp:} section. Secrets are read from their files here, so a missing or shared file
     * stops the daemon before anything starts.
     */
    private SnmpConfig snmp(ConfigMap m, Path stateDir, List<LinkConfig> links) throws ConfigException {
        ConfigNode listenNode = m.required("listen");
        InetSocketAddress listen = listenNode.parse(s -> Addresses.hostPort(s, resolver));
        for (LinkConfig link : links) {
            if (Addresses.clash(listen, link.local())) {
                throw listenNode.error("UDP port " + listen.getPort() + " is also bound by link " + link.name());
            }
        }
        Optional<String> community = m.has("communityFile")
                ? Optional.of(secret(m.required("communityFile"), "community file", 1, 64))
                : Optional.empty();
        List<SnmpConfig.User> users = new ArrayList<>();
        Map<String, ConfigNode> userNames = new HashMap<>();
        for (ConfigNode item : m.has("users") ? m.required("users").list() : List.<ConfigNode>of()) {
            ConfigMap u = item.map(SNMP_USER_KEYS);
            String name = u.required("name").uniqueName(userNames, "user");
            SnmpConfig.AuthProtocol auth = SnmpConfig.AuthProtocol.SHA_256;
            if (u.has("auth")) {
                ConfigNode a = u.required("auth");
                String text = a.string().strip();
                auth = SnmpConfig.AuthProtocol.parse(text).orElseThrow(() -> a.error("auth is SHA-224, SHA-256, SHA-384 or SHA-512, not '"
                        + text + "'"));
            }
            String authPass = secret(u.required("authPassphraseFile"), "passphrase file", 8, 256);
            String privPass = secret(u.required("privPassphraseFile"), "passphrase file", 8, 256);
            users.add(new SnmpConfig.User(name, auth, authPass, privPass));
        }
        if (community.isEmpty() && users.isEmpty()) {
            throw m.errorAt("users", "nobody could read the agent: give a communityFile (SNMPv2c) or at least one user (SNMPv3)");
        }
        List<SnmpConfig.TrapTarget> targets = new ArrayList<>();
        for (ConfigNode item : m.has("trapTargets") ? m.required("trapTargets").list() : List.<ConfigNode>of()) {
            targets.add(trapTarget(item.map(SNMP_TARGET_KEYS), community, userNames.keySet(), listen));
        }
        Optional<InetAddress> source;
        if (m.has("source")) {
            ConfigNode sourceNode = m.required("source");
            InetAddress a = sourceNode.parse(s -> {
                if (!Addresses.looksLikeLiteral(s.strip())) {
                    throw new IllegalArgumentException("'" + s.strip() + "' is not an IP address (write the node's management address)");
                }
                return Addresses.literal(s.strip());
            });
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                throw sourceNode.error("must be this node's own management address, not a wildcard or multicast address");
            }
            if ((a instanceof Inet4Address) != (listen.getAddress() instanceof Inet4Address)) {
                throw sourceNode.error("source and listen must be of the same family (both IPv4 or both IPv6)");
            }
            source = Optional.of(a);
        } else if (!listen.getAddress().isAnyLocalAddress()) {
            source = Optional.of(listen.getAddress());
        } else if (!targets.isEmpty()) {
            throw m.errorAt("source", "required when listen is a wildcard address and trapTargets are given:"
                    + " notifications must leave from the node's own management address, never from a virtual IP");
        } else {
            source = Optional.empty();
        }
        return new SnmpConfig(listen, source, community, users, targets, Optional.of(stateDir.resolve("snmp-engine")));
    }

    private SnmpConfig.TrapTarget trapTarget(ConfigMap t, Optional<String> agentCommunity, Set<String> users,
                                             InetSocketAddress listen) throws ConfigException {
        ConfigNode addressNode = t.required("address");
        InetSocketAddress address = addressNode.parse(s -> Addresses.hostPort(s, resolver));
        if ((address.getAddress() instanceof Inet4Address) != (listen.getAddress() instanceof Inet4Address)) {
            throw addressNode.error("trap target and listen must be of the same family (both IPv4 or both IPv6)");
        }
        SnmpConfig.Version version = SnmpConfig.Version.V2C;
        if (t.has("version")) {
            ConfigNode v = t.required("version");
            version = switch (v.string().strip()) {
                case "v2c" -> SnmpConfig.Version.V2C;
                case "v3" -> SnmpConfig.Version.V3;
                default -> throw v.error("version is v2c or v3, not '" + v.string().strip() + "'");
            };
        }
        boolean inform = version == SnmpConfig.Version.V3;
        if (t.has("notify")) {
            ConfigNode n = t.required("notify");
            inform = switch (n.string().strip()) {
                case "trap" -> false;
                case "inform" -> true;
                default -> throw n.error("notify is trap or inform, not '" + n.string().strip() + "'");
            };
        }
        Optional<String> community = Optional.empty();
        Optional<String> user = Optional.empty();
        if (version == SnmpConfig.Version.V2C) {
            if (t.has("user")) {
                throw t.errorAt("user", "a v2c target has no user; write version: v3 to send as an SNMPv3 user");
            }
            community = t.has("communityFile")
                    ? Optional.of(secret(t.required("communityFile"), "community file", 1, 64))
                    : agentCommunity;
            if (community.isEmpty()) {
                throw t.errorAt("communityFile", "a v2c target needs a community: give communityFile here or in the snmp section");
            }
        } else {
            if (t.has("communityFile")) {
                throw t.errorAt("communityFile", "a v3 target has no community; it uses its user's passphrases");
            }
            ConfigNode u = t.required("user");
            String name = u.name();
            if (!users.contains(name)) {
                throw u.error("no user '" + name + "' in snmp.users" + (users.isEmpty() ? "" : " (known: " + String.join(", ", new java.util.TreeSet<>(users)) + ")"));
            }
            user = Optional.of(name);
        }
        long timeout = duration(t, "timeout", DEFAULT_INFORM_TIMEOUT_MS);
        if (timeout > MAX_INFORM_TIMEOUT_MS) {
            throw t.errorAt("timeout", "must be at most " + Durations.format(MAX_INFORM_TIMEOUT_MS));
        }
        int retries = t.has("retries") ? t.required("retries").integer(0, 10) : DEFAULT_INFORM_RETRIES;
        return new SnmpConfig.TrapTarget(address, version, inform, community, user, timeout, retries);
    }

    private String secret(ConfigNode node, String what, int min, int max) throws ConfigException {
        node.nonBlank();
        return node.parse(s -> SecretFiles.read(path(s), what, min, max));
    }
}
