/*
 * Reading CLIF files for the CLI: strict UTF-8 decoding (a file that is not UTF-8 gets a
 * clear error, not mojibake), parsing, and turning every input problem into a
 * BadInputException whose message is already in `file:line:col: error: ...` form.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParseException;
import dev.patchbay.codegen.clif.ClifParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

final class ClifInput {
    private ClifInput() {}

    /** An input problem; the message is ready to print. */
    static final class BadInputException extends Exception {
        BadInputException(String message) {
            super(message);
        }
    }

    static String read(Path path) throws BadInputException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": error: no such file");
        } catch (IOException e) {
            throw new BadInputException(path + ": error: cannot read: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1, col = 1;
            int bad = firstInvalidUtf8(bytes);
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    col = 1;
                } else if ((bytes[i] & 0xC0) != 0x80) {
                    col++;
                }
            }
            throw new BadInputException(path + ":" + line + ":" + col + ": error: file is not valid UTF-8 (byte 0x"
                + Integer.toHexString(bytes[bad] & 0xFF) + " at offset " + bad + ")");
        }
    }

    private static int firstInvalidUtf8(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int n = c < 0x80 ? 0 : c >= 0xC2 && c < 0xE0 ? 1 : c >= 0xE0 && c < 0xF0 ? 2 : c >= 0xF0 && c < 0xF5 ? 3 : -1;
            if (n < 0 || i + n >= b.length) return i;
            for (int k = 1; k <= n; k++) if ((b[i + k] & 0xC0) != 0x80) return i;
            i += n + 1;
        }
        return Math.max(0, b.length - 1);
    }

    static ClifFile parse(Path path) throws BadInputException {
        String text = read(path);
        try {
            return ClifParser.parse(path.toString(), text);
        } catch (ClifParseException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
