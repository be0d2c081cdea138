package org.clusterd.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes a new cluster key: {@value #KEY_BYTES} random bytes, mode 600, whole or not at all (temp file,
 * fsync, rename). Never replaces an existing file without {@code --force}: a node with a new key cannot
 * talk to its peer until the same key is copied there.
 */
@Command(name = "keygen",
        description = "Write a new random cluster key (" + KeygenCommand.KEY_BYTES + " bytes, mode 600) to FILE;"
                + " copy it to the other node over a secure channel.")
final class KeygenCommand extends Subcommand {
    static final int KEY_BYTES = 32;

    @Parameters(index = "0", paramLabel = "FILE", description = "where to write the key, e.g. /etc/clusterd/cluster.key")
    Path file;

    @Option(names = "--force", description = "replace an existing key file")
    boolean force;

    @Override
    int execute() throws Failure {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Failure(Main.REFUSED, "keygen: directory " + dir + " does not exist");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new Failure(Main.REFUSED, "keygen: " + file + " is a directory");
        }
        if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw exists();
        }
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(key);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (force) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(temp, target); // fails if the file appeared meanwhile
            }
            temp = null;
        } catch (FileAlreadyExistsException e) {
            throw exists();
        } catch (IOException | UnsupportedOperationException e) {
            throw new Failure(Main.REFUSED, "keygen: cannot write " + file + ": " + e);
        } finally {
            deleteQuietly(temp);
        }
        out().println("wrote a new " + KEY_BYTES + "-byte cluster key to " + file
                + " (mode 600); copy it to the other node over a secure channel and keep it mode 600 there");
        return Main.OK;
    }

    private Failure exists() {
        return new Failure(Main.REFUSED, "keygen: " + file + " exists; not replacing it without --force"
                + " (both nodes must hold the same key)");
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
