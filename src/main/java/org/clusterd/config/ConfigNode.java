package org.clusterd.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One node of the composed YAML tree together with where it is: its file, its 1-based line and its
 * dotted key path ({@code groups[1].resources[0].timeout}). Every typed accessor either returns a
 * value or throws a {@link ConfigException} that names that file, line and path, so the loader never
 * has to think about positions.
 *
 * <p>Values are taken from the raw scalar text, not from YAML 1.1's implicit typing: {@code
 * 02:00:00:00:00:01} stays a MAC address instead of becoming a base-60 number, and {@code no} stays
 * the string "no". Booleans are exactly {@code true} or {@code false}.
 */
final class ConfigNode {
    /** Names of clusters, nodes, links, groups and resources. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    /** The longest duration any setting may have: one week. */
    static final long MAX_DURATION_MS = 7 * 24 * 3_600_000L;

    private final Path file;
    private final String path;
    private final Node node;
    private final int keyLine;

    ConfigNode(Path file, String path, Node node) {
        this(file, path, node, 0);
    }

    /** A value of a mapping; {@code keyLine} is the 1-based line of its key. */
    private ConfigNode(Path file, String path, Node node, int keyLine) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.keyLine = keyLine;
    }

    Path file() {
        return file;
    }

    /** The path of a key inside this mapping. */
    String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The dotted key path, or {@code (file)} for the document itself. */
    String path() {
        return path.isEmpty() ? "(file)" : path;
    }

    /** 1-based line where this value starts; for an empty value, the line of its key. */
    int line() {
        if (isNull() && keyLine > 0) {
            return keyLine;
        }
        return nodeLine(node);
    }

    /**
     * The line that introduces this value: its key's line if it is the value of a key ({@code
     * control:} rather than the first line inside the section), else its own. Missing keys are
     * reported here.
     */
    int headLine() {
        return keyLine > 0 ? keyLine : nodeLine(node);
    }

    private static int nodeLine(Node n) {
        return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    }

    ConfigException error(String reason) {
        return new ConfigException(file, line(), path(), reason);
    }

    /** A plain (unquoted) empty value, {@code ~} or {@code null}: the key is present but has no value. */
    boolean isNull() {
        return node instanceof ScalarNode s && s.isPlain() && Tag.NULL.equals(s.getTag());
    }

    // ---------------------------------------------------------------- scalars

    /** The scalar's text, which may be empty only if quoted ({@code ""}). */
    String string() throws ConfigException {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value but found " + describe(node));
        }
        if (isNull()) {
            throw error("no value given");
        }
        if (s.getValue().indexOf('\0') >= 0) {
            throw error("must not contain NUL characters");
        }
        return s.getValue();
    }

    /** A non-blank string. */
    String nonBlank() throws ConfigException {
        String s = string();
        if (s.isBlank()) {
            throw error("must not be empty");
        }
        return s;
    }

    /** A name: {@code [A-Za-z0-9._-]{1,32}}, and not {@code .} or {@code ..}. */
    String name() throws ConfigException {
        String s = string();
        if (!NAME.matcher(s).matches()) {
            throw error("'" + s + "' is not a valid name: use 1 to 32 of the characters A-Z a-z 0-9 . _ -");
        }
        if (s.equals(".") || s.equals("..")) {
            throw error("'" + s + "' is not a valid name");
        }
        return s;
    }

    /** A {@link #name()} that no earlier entry of the same list used; records it in {@code seen}. */
    String uniqueName(Map<String, ConfigNode> seen, String what) throws ConfigException {
        String name = name();
        ConfigNode first = seen.putIfAbsent(name, this);
        if (first != null) {
            throw error("duplicate " + what + " name '" + name + "' (first used at line " + first.line() + ")");
        }
        return name;
    }

    int integer(int min, int max) throws ConfigException {
        String s = string().strip();
        if (!s.matches("-?\\d{1,10}")) {
            throw error("expected a whole number but found '" + s + "'");
        }
        long v = Long.parseLong(s);
        if (v < min || v > max) {
            throw error(v + " is out of range " + min + ".." + max);
        }
        return (int) v;
    }

    int port() throws ConfigException {
        return integer(1, 65535);
    }

    boolean bool() throws ConfigException {
        String s = string().strip();
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("expected true or false but found '" + s + "'");
        };
    }

    /**
     * A duration in milliseconds, greater than zero and at most {@link #MAX_DURATION_MS} (which also
     * keeps {@code now + duration} and {@code 2 * duration} far from overflowing).
     */
    long positiveDuration() throws ConfigException {
        long ms = parse(Durations::parseMillis);
        if (ms <= 0) {
            throw error("must be a positive duration, not '" + string().strip() + "'");
        }
        if (ms > MAX_DURATION_MS) {
            throw error("'" + string().strip() + "' is longer than the longest allowed duration, "
                    + Durations.format(MAX_DURATION_MS));
        }
        return ms;
    }

    /**
     * Applies a parser to the string value; an {@link IllegalArgumentException} from it becomes a
     * {@link ConfigException} at this node with the exception's message as the reason.
     */
    <T> T parse(Function<String, T> parser) throws ConfigException {
        String s = string();
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- collections

    /** The elements of a list; an empty value counts as an empty list. */
    List<ConfigNode> list() throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list but found " + describe(node));
        }
        List<ConfigNode> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            out.add(new ConfigNode(file, path + "[" + out.size() + "]", item));
        }
        return out;
    }

    /**
     * A mapping whose keys must all be among {@code allowed} (listed in the error in this order); an
     * empty value counts as an empty mapping.
     */
    ConfigMap map(List<String> allowed) throws ConfigException {
        Map<String, Entry> entries = entries();
        for (Entry e : entries.values()) {
            if (!allowed.contains(e.key)) {
                throw e.keyNode().error("unknown key '" + e.key + "'; allowed here: " + String.join(", ", allowed));
            }
        }
        return new ConfigMap(this, entries);
    }

    /** A mapping with arbitrary string keys (environment variables). */
    Map<String, ConfigNode> openMap() throws ConfigException {
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        for (Entry e : entries().values()) {
            out.put(e.key, e.value);
        }
        return out;
    }

    private Map<String, Entry> entries() throws ConfigException {
        if (isNull()) {
            return Collections.emptyMap();
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping of keys to values but found " + describe(node));
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode ks)) {
                throw new ConfigNode(file, path, k).error("keys must be plain words, not " + describe(k));
            }
            String key = ks.getValue();
            String childPath = childPath(key);
            Entry e = new Entry(key, new ConfigNode(file, childPath, k),
                    new ConfigNode(file, childPath, t.getValueNode(), nodeLine(k)));
            Entry first = entries.putIfAbsent(key, e);
            if (first != null) {
                throw e.keyNode.error("duplicate key '" + key + "' (first given at line " + first.keyNode.line() + ")");
            }
        }
        return entries;
    }

    private static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof ScalarNode s) {
            return s.isPlain() && Tag.NULL.equals(s.getTag()) ? "nothing" : "the value '" + s.getValue() + "'";
        }
        return "a " + n.getNodeId();
    }

    record Entry(String key, ConfigNode keyNode, ConfigNode value) {}
}
