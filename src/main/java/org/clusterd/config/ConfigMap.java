package org.clusterd.config;

import java.util.Map;
import java.util.Optional;

/** A YAML mapping whose keys have already been checked: no duplicates, none unknown. */
final class ConfigMap {
    private final ConfigNode self;
    private final Map<String, ConfigNode.Entry> entries;

    ConfigMap(ConfigNode self, Map<String, ConfigNode.Entry> entries) {
        this.self = self;
        this.entries = entries;
    }

    ConfigNode self() {
        return self;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Optional<ConfigNode> optional(String key) {
        ConfigNode.Entry e = entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.value());
    }

    /** The value of a required key; if absent, the error points at the line that opens this mapping. */
    ConfigNode required(String key) throws ConfigException {
        ConfigNode.Entry e = entries.get(key);
        if (e == null) {
            throw errorAt(key, "required key '" + key + "' is missing");
        }
        return e.value();
    }

    /**
     * An error about {@code key} of this mapping: at the key's value when the file gives it, else at
     * the mapping (the rule concerns a default the file did not spell out).
     */
    ConfigException errorAt(String key, String reason) {
        ConfigNode.Entry e = entries.get(key);
        int line = e != null ? e.value().line() : self.headLine();
        return new ConfigException(self.file(), line, self.childPath(key), reason);
    }
}
