/*
 * Problem: read Wasm's primitive encodings (bytes, LEB128 integers, floats, names, vector
 * counts) from an untrusted byte[] so that every malformation becomes a
 * WasmDecodeException with its offset and the reference interpreter's wording, and nothing
 * else (no ArrayIndexOutOfBounds, no NegativeArraySize, no OutOfMemoryError).
 *
 * Invariants:
 * 1. 0 <= pos <= limit <= bytes.length at all times; every read checks against limit first.
 *    limit is the end of the current section (or function body) or of the whole binary; a
 *    read past it is "unexpected end of section or function", or "unexpected end" when the
 *    limit is the end of the binary, as the reference interpreter words them.
 * 2. LEB128: an N-bit integer takes at most ceil(N/7) bytes; a continuation bit in the last
 *    allowed byte is "integer representation too long"; unused bits of the last byte that are
 *    not zero (unsigned) or not a sign extension (signed) are "integer too large".
 * 3. A vector count is checked against the bytes left before anything is allocated for it
 *    (every element takes at least one byte), so memory stays proportional to the input.
 */
package dev.patchbay.wasm.internal;

import dev.patchbay.wasm.WasmDecodeException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** A bounded cursor over a Wasm binary. */
public final class Reader {
    private final byte[] bytes;
    private int pos;
    private int limit;
    private final boolean inSection;

    /**
     * @param bytes the binary
     * @param pos the first byte to read
     * @param limit one past the last byte that may be read
     * @param inSection whether limit is a section's end (for the wording of a read past it)
     */
    public Reader(byte[] bytes, int pos, int limit, boolean inSection) {
        this.bytes = bytes;
        this.pos = pos;
        this.limit = limit;
        this.inSection = inSection;
    }

    public byte[] bytes() { return bytes; }
    public int pos() { return pos; }
    public int limit() { return limit; }
    public int remaining() { return limit - pos; }
    public boolean atEnd() { return pos >= limit; }
    public void setLimit(int limit) { this.limit = limit; }
    public void seek(int pos) { this.pos = pos; }
    public int peek() {
        if (pos >= limit) throw eof();
        return bytes[pos] & 0xFF;
    }

    public static WasmDecodeException error(int at, String message) {
        return new WasmDecodeException(at, message);
    }

    private String eofMessage() {
        return inSection ? "unexpected end of section or function" : "unexpected end";
    }

    public WasmDecodeException eof() { return error(pos, eofMessage()); }

    public int u8() {
        if (pos >= limit) throw eof();
        return bytes[pos++] & 0xFF;
    }

    public long u32() { return leb(32, false); }
    public int s32() { return (int) leb(32, true); }
    public long s33() { return leb(33, true); }
    public long s64() { return leb(64, true); }
    /** A one-bit unsigned LEB128 (the limits flag, as the reference interpreter reads it). */
    public int u1() { return (int) leb(1, false); }
    /** A seven-bit signed LEB128 (the function type form, as the reference interpreter reads it). */
    public int s7() { return (int) leb(7, true); }

    private long leb(int bits, boolean signed) {
        int maxBytes = (bits + 6) / 7;
        long result = 0;
        int shift = 0;
        for (int i = 0; ; i++) {
            int b = u8();
            if (i == maxBytes - 1) {
                if ((b & 0x80) != 0) throw error(pos - 1, "integer representation too long");
                int remainingBits = bits - shift;
                int v = b & 0x7F;
                if (signed) {
                    int s = v >> (remainingBits - 1);
                    if (s != 0 && s != (0x7F >> (remainingBits - 1))) throw error(pos - 1, "integer too large");
                } else if (remainingBits < 7 && (v >> remainingBits) != 0) {
                    throw error(pos - 1, "integer too large");
                }
                result |= (long) v << shift;
                shift += 7;
                if (signed && shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (signed && shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
        }
    }

    public int f32bits() {
        if (limit - pos < 4) { pos = limit; throw eof(); }
        int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8 | (bytes[pos + 2] & 0xFF) << 16 | (bytes[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long f64bits() {
        long lo = f32bits() & 0xFFFFFFFFL;
        long hi = f32bits() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** Skips n bytes (n a u32 read from the input) after checking they are there. */
    public int skip(long n) {
        if (n > limit - pos) { throw eof(); }
        int start = pos;
        pos += (int) n;
        return start;
    }

    /** A vector count: at most the bytes left, since each element takes at least one. */
    public int count() {
        int at = pos;
        long n = u32();
        if (n > limit - pos) throw error(at, eofMessage());
        return (int) n;
    }

    /** A name: u32 length, then that many bytes of well-formed UTF-8. */
    public String name() {
        long n = u32();
        if (n > limit - pos) throw error(pos, "length out of bounds");
        int start = skip(n);
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, (int) n));
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw error(start, "malformed UTF-8 encoding");
        }
    }
}
