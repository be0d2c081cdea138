package org.clusterd.snmp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.cfg.EngineBootsProvider;
import org.snmp4j.mp.MPv3;
import org.snmp4j.smi.OctetString;

/**
 * The agent's SNMPv3 engine ID and boot counter (RFC 3414: snmpEngineBoots must grow at every start,
 * or managers reject the agent's messages as replays). Kept in a small text file, written atomically
 * (temp file, fsync, rename, fsync of the directory); without a file a new engine ID is made at each
 * start and boots starts at 1.
 */
final class EngineBoots implements EngineBootsProvider {
    private static final Logger log = LoggerFactory.getLogger(EngineBoots.class);
    private static final int VERSION = 1;

    private final Optional<Path> file;
    private final OctetString engineId;
    private int boots;

    EngineBoots(Optional<Path> file) {
        this.file = file;
        OctetString id = null;
        int b = 0;
        if (file.isPresent() && Files.exists(file.get())) {
            try {
                Properties p = new Properties();
                p.load(new java.io.StringReader(Files.readString(file.get(), StandardCharsets.UTF_8)));
                if (!Integer.toString(VERSION).equals(p.getProperty("version"))) {
                    throw new IOException("unknown format version " + p.getProperty("version"));
                }
                id = OctetString.fromHexString(p.getProperty("engineId"));
                b = Integer.parseInt(p.getProperty("boots"));
                if (id.length() < 5 || id.length() > 32 || b < 0) {
                    throw new IOException("bad engine ID or boots");
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Ignoring unreadable SNMP engine file {} ({}); a new engine ID is made", file.get(), e.toString());
                id = null;
                b = 0;
            }
        }
        this.engineId = id != null ? id : new OctetString(MPv3.createLocalEngineID());
        this.boots = b;
    }

    OctetString engineId() {
        return engineId;
    }

    @Override
    public synchronized int updateEngineBoots() {
        boots = boots >= Integer.MAX_VALUE ? Integer.MAX_VALUE : boots + 1;
        file.ifPresent(this::write);
        return boots;
    }

    @Override
    public synchronized int getEngineBoots() {
        return boots;
    }

    private void write(Path f) {
        String text = "# SNMP engine of clusterd; keep it: managers know the agent by this ID\n"
                + "version=" + VERSION + "\nengineId=" + engineId.toHexString() + "\nboots=" + boots + "\n";
        try {
            Path dir = f.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(f.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(text));
                ch.force(true);
            }
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            log.warn("Cannot write SNMP engine file {}: {}; managers may reject the agent after a restart", f, e.toString());
        }
    }
}
