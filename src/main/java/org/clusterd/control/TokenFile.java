package org.clusterd.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The control channel's shared secret: {@value #TOKEN_BYTES} random bytes, hex encoded, in a file that
 * only the daemon's user can read (mode 600, written atomically: temp file, fsync, rename, fsync of the
 * directory). Whoever can read it can steer the cluster.
 */
final class TokenFile {
    static final int TOKEN_BYTES = 32;
    /** The hex text, plus room for a trailing newline an administrator's editor might add. */
    private static final int MAX_FILE_BYTES = 2 * TOKEN_BYTES + 2;

    private TokenFile() {}

    /** Creates a fresh token, writes it to {@code file} (replacing any old one) and returns it. */
    static String create(Path file, SecureRandom random) throws IOException {
        byte[] raw = new byte[TOKEN_BYTES];
        random.nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(token.getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(dir);
        return token;
    }

    /**
     * Reads the token. {@link NoSuchFileException} when the file is absent (usually: the daemon never
     * ran with this configuration), {@link AccessDeniedException} when this user may not read it.
     */
    static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than a control token; is tokenFile the right file?");
        }
        return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
    }

    /** Deletes the file if it still holds {@code token} (a newer daemon may have replaced it). */
    static void deleteIfOurs(Path file, String token) throws IOException {
        try {
            if (MessageDigest.isEqual(read(file).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }
}
