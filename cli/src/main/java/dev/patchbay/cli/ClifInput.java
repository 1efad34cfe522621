/*
 * Reading CLIF files for the CLI: only regular files of at most MAX_INPUT_BYTES (16 MiB),
 * strict UTF-8 decoding (a file that is not UTF-8 gets a
 * clear error, not mojibake), parsing, and turning every input problem into a
 * BadInputException whose message is already in `file:line:col: error: ...` form.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParseException;
import dev.patchbay.codegen.clif.ClifParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

final class ClifInput {
    private ClifInput() {}

    /** An input problem; the message is ready to print. */
    static final class BadInputException extends Exception {
        BadInputException(String message) {
            super(message);
        }
    }

    /**
     * The largest input file read: far above any real CLIF file (the backend refuses a
     * function past its instruction limit long before), low enough that reading, decoding
     * and parsing it fit in a default heap. `/dev/zero` and the like never get this far.
     */
    static final int MAX_INPUT_BYTES = 16 << 20;

    /**
     * Why {@code path} cannot be read as a CLIF file (missing, a directory, not a regular
     * file, over MAX_INPUT_BYTES), as a ready `path: error: ...` message; null if it can.
     * Never opens the file, so a FIFO or a device cannot block or flood the reader.
     */
    static String problem(Path path) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return path + ": error: no such file";
        } catch (IOException e) {
            return path + ": error: cannot read: " + OutputFiles.reason(e);
        }
        if (a.isDirectory()) return path + ": error: is a directory, not a .clif file";
        if (!a.isRegularFile()) return path + ": error: not a regular file (a device, FIFO or socket); give a .clif file";
        if (a.size() > MAX_INPUT_BYTES) return tooLarge(path);
        return null;
    }

    private static String tooLarge(Path path) {
        return path + ": error: file is larger than the " + (MAX_INPUT_BYTES >> 20) + " MiB input limit";
    }

    static String read(Path path) throws BadInputException {
        String problem = problem(path);
        if (problem != null) throw new BadInputException(problem);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // Bounded even if the file grew since it was checked.
            bytes = in.readNBytes(MAX_INPUT_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": error: no such file");
        } catch (IOException e) {
            throw new BadInputException(path + ": error: cannot read: " + OutputFiles.reason(e));
        }
        if (bytes.length > MAX_INPUT_BYTES) throw new BadInputException(tooLarge(path));
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
