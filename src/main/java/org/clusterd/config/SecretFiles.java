package org.clusterd.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text secret (an SNMP community, an SNMPv3 passphrase) from a file private to its owner, as
 * {@link KeyFiles} does for the cluster key. The text is the file's content without one trailing line
 * break, so that {@code echo secret > file} works.
 */
final class SecretFiles {
    static final int MAX_BYTES = 4096;

    private SecretFiles() {}

    /**
     * @throws IllegalArgumentException with the reason the secret cannot be used
     */
    static String read(Path file, String what, int minChars, int maxChars) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + " " + file + " does not exist; create it readable only by the daemon's user:"
                    + " (umask 077; echo 'SECRET' > " + file + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a regular file");
        }
        KeyFiles.checkPrivate(file, what);
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(what + " " + file + " is larger than " + MAX_BYTES + " bytes; is it the right file?");
            }
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " " + file + " is not UTF-8 text", e);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e, e);
        }
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(what + " " + file + " must hold one line of text without control characters");
        }
        if (text.length() < minChars || text.length() > maxChars) {
            throw new IllegalArgumentException(what + " " + file + " holds " + text.length() + " characters; it must hold "
                    + minChars + " to " + maxChars);
        }
        return text;
    }
}
