package org.clusterd.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the cluster's shared HMAC key: the file's raw bytes, all of them (a trailing newline counts
 * as a byte of the key), at least {@value #MIN_BYTES}. The file must be private to its owner, since
 * anyone who can read it can forge heartbeats and anyone who can write it can cut the cluster apart.
 */
final class KeyFiles {
    static final int MIN_BYTES = 32;
    static final int MAX_BYTES = 4096;

    private static final Logger log = LoggerFactory.getLogger(KeyFiles.class);
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private KeyFiles() {}

    /**
     * @throws IllegalArgumentException with the reason the key cannot be used
     */
    static byte[] read(Path key) {
        if (!Files.exists(key)) {
            throw new IllegalArgumentException("key file " + key + " does not exist;"
                    + " create it on one node with: head -c 32 /dev/urandom > " + key + " && chmod 600 " + key
                    + ", then copy it to the other");
        }
        if (!Files.isRegularFile(key)) {
            throw new IllegalArgumentException("key file " + key + " is not a regular file");
        }
        checkPrivate(key);
        if (!Files.isReadable(key)) {
            throw new IllegalArgumentException("key file " + key + " is not readable by this user");
        }
        byte[] bytes;
        try {
            if (Files.size(key) > MAX_BYTES) {
                throw new IllegalArgumentException("key file " + key + " is larger than " + MAX_BYTES + " bytes; is it the right file?");
            }
            bytes = Files.readAllBytes(key);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot read key file " + key + ": " + e, e);
        }
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("key file " + key + " holds " + bytes.length + " bytes; the key must be at least "
                    + MIN_BYTES + " bytes (head -c 32 /dev/urandom > " + key + ")");
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("key file " + key + " is larger than " + MAX_BYTES + " bytes; is it the right file?");
        }
        return bytes;
    }

    private static void checkPrivate(Path key) {
        checkPrivate(key, "key file");
    }

    /**
     * @throws IllegalArgumentException if group or others may read or write {@code file} ({@code what}
     *     names it in the message)
     */
    static void checkPrivate(Path key, String what) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(key);
        } catch (UnsupportedOperationException e) {
            log.warn("Cannot check the permissions of {} {} on this file system; make sure only its owner can read it", what, key);
            return;
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot check permissions of " + what + " " + key + ": " + e, e);
        }
        Set<PosixFilePermission> shared = EnumSet.noneOf(PosixFilePermission.class);
        shared.addAll(perms);
        shared.retainAll(SHARED);
        if (!shared.isEmpty()) {
            throw new IllegalArgumentException(what + " " + key + " is accessible by group or others (mode "
                    + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + key);
        }
    }
}
