package org.clusterd.snmp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;

import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;

/**
 * Pure conversions from the view's Java values to the SNMP syntaxes CLUSTERD-MIB declares, clamping
 * where the SNMP type is narrower than the Java one (never throwing on odd values: a monitoring view
 * must not fail because a number is out of range).
 */
final class MibValues {
    static final long MAX_UNSIGNED32 = 0xFFFF_FFFFL;

    private MibValues() {}

    /** DisplayString: printable US-ASCII (anything else becomes '?'), cut at {@code max} characters; null is empty. */
    static OctetString display(String s, int max) {
        if (s == null) {
            return new OctetString();
        }
        int n = Math.min(s.length(), max);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            b[i] = (byte) (c >= 0x20 && c < 0x7f ? c : '?');
        }
        return new OctetString(b);
    }

    /** ClusterdUtf8String: UTF-8, at most 255 octets, cut at a character boundary; null is empty. */
    static OctetString utf8(String s) {
        if (s == null) {
            return new OctetString();
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(255);
        enc.encode(CharBuffer.wrap(s), out, true);
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return new OctetString(b);
    }

    /** ClusterdTime: 11-octet DateAndTime in UTC; zero-length for a time that is not positive (never). */
    static OctetString time(long epochMillis) {
        if (epochMillis <= 0) {
            return new OctetString();
        }
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        int year = t.getYear();
        return new OctetString(new byte[] {
                (byte) (year >> 8), (byte) year, (byte) t.getMonthValue(), (byte) t.getDayOfMonth(),
                (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(), (byte) (t.getNano() / 100_000_000),
                (byte) '+', 0, 0});
    }

    static Integer32 truth(boolean b) {
        return new Integer32(b ? 1 : 2);
    }

    /** Counter32 wraps modulo 2^32, as a counter does; a negative value counts as zero. */
    static Counter32 counter32(long v) {
        return new Counter32(Math.max(0, v) & MAX_UNSIGNED32);
    }

    static Counter64 counter64(long v) {
        return new Counter64(Math.max(0, v));
    }

    static Gauge32 gauge32(long v) {
        return new Gauge32(Math.min(Math.max(0, v), MAX_UNSIGNED32));
    }

    static UnsignedInteger32 unsigned32(long v) {
        return new UnsignedInteger32(Math.min(Math.max(0, v), MAX_UNSIGNED32));
    }

    /** Integer32 (-1..2147483647): any negative value means "never"/"unknown" and becomes -1. */
    static Integer32 ageOrMinusOne(long v) {
        return new Integer32(v < 0 ? -1 : (int) Math.min(v, Integer.MAX_VALUE));
    }

    /** An enumerated value by name, case-, '_'- and '-'-insensitive; {@code other(1)} when unknown. */
    static Integer32 enumValue(String name, Map<String, Integer> values) {
        if (name == null) {
            return new Integer32(1);
        }
        String key = name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        return new Integer32(values.getOrDefault(key, 1));
    }
}
