package org.clusterd.snmp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing net-snmp's output ({@code MODULE::name.index = TYPE: value}) and formatting expected values the same way. */
final class Walks {
    private static final Pattern LINE = Pattern.compile("^(?:[A-Za-z0-9-]+::)?(\\S+) = (.*)$");

    private Walks() {}

    /** {@code name.index} (module prefix dropped) to {@code TYPE: value}, in walk order. */
    static Map<String, String> parse(String output) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                out.put(m.group(1), m.group(2).strip());
            }
        }
        return out;
    }

    /** The row index whose {@code nameColumn} is {@code name}, or fail. */
    static int row(Map<String, String> walk, String nameColumn, String name) {
        for (Map.Entry<String, String> e : walk.entrySet()) {
            if (e.getKey().startsWith(nameColumn + ".") && e.getValue().equals("STRING: " + name)) {
                return Integer.parseInt(e.getKey().substring(nameColumn.length() + 1));
            }
        }
        throw new AssertionError("no row of " + nameColumn + " is named " + name + " in " + walk.keySet());
    }

    static String string(String s) {
        return ("STRING: " + (s == null ? "" : s)).strip();
    }

    /** An enumeration label as net-snmp prints it, from the view's text: RESYNC_BULK becomes resyncBulk. */
    static String label(String viewText) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : viewText.toCharArray()) {
            if (c == '_' || c == '-') {
                up = true;
            } else if (b.length() == 0) {
                b.append(Character.toLowerCase(c));
            } else {
                b.append(up ? Character.toUpperCase(c) : (viewText.equals(viewText.toUpperCase()) ? Character.toLowerCase(c) : c));
                up = false;
            }
        }
        return b.toString();
    }

    static String truth(boolean b) {
        return b ? "INTEGER: true(1)" : "INTEGER: false(2)";
    }

    /** ClusterdTime as net-snmp prints it with the MIB's DISPLAY-HINT. */
    static String time(long epochMillis) {
        if (epochMillis <= 0) {
            return "STRING:";
        }
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        return "STRING: " + t.getYear() + "-" + t.getMonthValue() + "-" + t.getDayOfMonth() + "," + t.getHour() + ":"
                + t.getMinute() + ":" + t.getSecond() + "." + t.getNano() / 100_000_000 + ",+0:0";
    }
}
