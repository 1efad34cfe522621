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
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
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
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (!result.isError()) return out.flip().toString();
        // The decoder stops at the first byte it rejects, whatever the reason (a bad lead
        // byte, a missing continuation, an overlong form, a surrogate, a code point past
        // U+10FFFF), so its position is where the file stops being UTF-8.
        int bad = in.position();
        int line = 1, col = 1;
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

    static ClifFile parse(Path path) throws BadInputException {
        String text = read(path);
        try {
            return ClifParser.parse(path.toString(), text);
        } catch (ClifParseException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
