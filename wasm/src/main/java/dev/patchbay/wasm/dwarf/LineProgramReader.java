/*
 * Problem: run the line-number programs of .debug_line (DWARF 2 to 5, 32- and 64-bit
 * formats) into rows, over bytes nobody vouches for.
 *
 * Invariants:
 * 1. Every read goes through need(), which checks the bytes left in the current unit (or
 *    section) first, so a truncated or lying length is a DwarfException with the offset
 *    where the read would have started, never an index error. Unit lengths are checked
 *    against the section, header lengths against the unit, extended opcode lengths against
 *    the program.
 * 2. Values that would make the state machine meaningless (a line_range of 0, an
 *    opcode_base of 0, a version outside 2..5, an address size other than 4 or 8, a file
 *    index the header does not list) are rejected where they are read, with that offset.
 * 3. Rows come out in program order, each sequence ending with its end_sequence row, and
 *    each row's file is the path its header gives (directory joined), as llvm-dwarfdump
 *    prints it: v2..4 number files from 1 and directories from 1 (0 is the compilation
 *    directory, which only .debug_info knows: left out); v5 numbers both from 0.
 * 4. A sequence whose set_address is the tombstone (all ones: wasm-ld's mark for a function
 *    it discarded) is dropped whole, as llvm-dwarfdump drops it: its addresses, counted up
 *    from -1, would otherwise wrap onto live code.
 */
package dev.patchbay.wasm.dwarf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

final class LineProgramReader {
    private static final String SECTION = ".debug_line";

    private final byte[] b;
    private final byte[] lineStr;
    private final byte[] str;
    private final long codeStart;
    private int pos;
    private int limit;

    LineProgramReader(byte[] debugLine, byte[] debugLineStr, byte[] debugStr, long codeStart) {
        this.b = debugLine;
        this.lineStr = debugLineStr;
        this.str = debugStr;
        this.codeStart = codeStart;
    }

    /** Every unit's rows, in section order. */
    List<LineRow> rows() {
        List<LineRow> out = new ArrayList<>();
        pos = 0;
        limit = b.length;
        while (pos < b.length) {
            limit = b.length;
            int unitStart = pos;
            long length = u32();
            boolean dwarf64 = false;
            if (length == 0xFFFFFFFFL) {
                dwarf64 = true;
                length = u64();
            } else if (length >= 0xFFFFFFF0L) {
                throw error(unitStart, "reserved unit length 0x" + Long.toHexString(length));
            }
            if (length > b.length - pos) {
                throw error(unitStart, "unit length " + length + " runs past the section's end (" + (b.length - pos) + " bytes left)");
            }
            int unitEnd = pos + (int) length;
            limit = unitEnd;
            unit(unitStart, dwarf64, unitEnd, out);
            pos = unitEnd;
        }
        return out;
    }

    private void unit(int unitStart, boolean dwarf64, int unitEnd, List<LineRow> out) {
        int versionAt = pos;
        int version = u16();
        if (version < 2 || version > 5) throw error(versionAt, "unsupported line table version " + version + " (2 to 5 are)");
        int addressSize = 4;
        if (version >= 5) {
            int at = pos;
            addressSize = u8();
            if (addressSize != 4 && addressSize != 8) throw error(at, "address size " + addressSize + " (4 or 8 expected)");
            u8(); // segment selector size: unused by wasm and by every target clang supports
        }
        int headerLengthAt = pos;
        long headerLength = dwarf64 ? u64() : u32();
        if (headerLength > unitEnd - pos) throw error(headerLengthAt, "header length " + headerLength + " runs past the unit's end");
        int programStart = pos + (int) headerLength;
        int minInst = u8();
        int maxOps = version >= 4 ? u8() : 1;
        if (maxOps == 0) throw error(pos - 1, "maximum_operations_per_instruction is 0");
        boolean defaultIsStmt = u8() != 0;
        int lineBase = (byte) u8();
        int lineRangeAt = pos;
        int lineRange = u8();
        if (lineRange == 0) throw error(lineRangeAt, "line_range is 0");
        int opcodeBaseAt = pos;
        int opcodeBase = u8();
        if (opcodeBase == 0) throw error(opcodeBaseAt, "opcode_base is 0");
        int[] standardLengths = new int[opcodeBase];
        for (int i = 1; i < opcodeBase; i++) standardLengths[i] = u8();
        List<String> files = new ArrayList<>();
        int firstFile;
        if (version >= 5) {
            List<String> dirs = entries(dwarf64, null);
            files.addAll(entries(dwarf64, dirs));
            firstFile = 0;
        } else {
            List<String> dirs = new ArrayList<>();
            dirs.add("");
            while (true) {
                String d = cstring();
                if (d.isEmpty()) break;
                dirs.add(d);
            }
            while (true) {
                String name = cstring();
                if (name.isEmpty()) break;
                files.add(join(dirs, uleb(), name));
                uleb(); // modification time
                uleb(); // length
            }
            firstFile = 1;
        }
        if (pos > programStart) throw error(headerLengthAt, "header length " + headerLength + " ends inside the header's own tables");
        pos = programStart;
        program(unitEnd, version, addressSize, minInst, maxOps, defaultIsStmt, lineBase, lineRange, opcodeBase,
            standardLengths, files, firstFile, out);
    }

    /** A v5 entry list (directories when dirs is null, else files); each entry's path. */
    private List<String> entries(boolean dwarf64, List<String> dirs) {
        int formatCount = u8();
        long[][] formats = new long[formatCount][2];
        for (int i = 0; i < formatCount; i++) {
            formats[i][0] = uleb();
            formats[i][1] = uleb();
        }
        int countAt = pos;
        long count = uleb();
        if (count > limit - pos) throw error(countAt, "entry count " + count + " is more than the bytes left");
        List<String> out = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            String path = null;
            long dir = 0;
            for (long[] f : formats) {
                int at = pos;
                int form = (int) f[1];
                if (f[0] == 1) { // DW_LNCT_path
                    path = stringForm(form, dwarf64, at);
                } else if (f[0] == 2) { // DW_LNCT_directory_index
                    dir = intForm(form, at);
                } else {
                    skipForm(form, dwarf64, at);
                }
            }
            if (path == null) path = "";
            // A v5 directory other than 0 that is relative is relative to directory 0, the
            // compilation directory.
            if (dirs == null && !out.isEmpty() && !path.startsWith("/")) path = join(out, 0, path);
            out.add(dirs == null ? path : join(dirs, dir, path));
        }
        return out;
    }

    private String join(List<String> dirs, long dir, String name) {
        if (dir < 0 || dir >= dirs.size()) throw error(pos, "directory index " + dir + " is not among the header's " + dirs.size());
        String d = dirs.get((int) dir);
        String joined = d.isEmpty() || d.equals(".") || name.startsWith("/") ? name : d.endsWith("/") ? d + name : d + "/" + name;
        // "dir/./name" is how clang names a header found through "-I." or "#include": say it once.
        return joined.replace("/./", "/");
    }

    private String stringForm(int form, boolean dwarf64, int at) {
        return switch (form) {
            case 0x08 -> cstring(); // DW_FORM_string
            case 0x1f -> stringAt(lineStr, ".debug_line_str", dwarf64 ? u64() : u32(), at); // DW_FORM_line_strp
            case 0x0e -> stringAt(str, ".debug_str", dwarf64 ? u64() : u32(), at); // DW_FORM_strp
            default -> throw error(at, "form 0x" + Integer.toHexString(form) + " for a path (string, strp or line_strp expected)");
        };
    }

    private long intForm(int form, int at) {
        return switch (form) {
            case 0x0b -> u8();
            case 0x05 -> u16();
            case 0x06 -> u32();
            case 0x07 -> u64();
            case 0x0f -> uleb();
            default -> throw error(at, "form 0x" + Integer.toHexString(form) + " for a directory index (data or udata expected)");
        };
    }

    private void skipForm(int form, boolean dwarf64, int at) {
        switch (form) {
            case 0x08 -> cstring();
            case 0x0e, 0x1f -> need(dwarf64 ? 8 : 4);
            case 0x0b -> need(1);
            case 0x05 -> need(2);
            case 0x06 -> need(4);
            case 0x07 -> need(8);
            case 0x1e -> need(16); // DW_FORM_data16, the MD5
            case 0x0f -> uleb();
            case 0x09 -> {
                long n = uleb();
                if (n > limit - pos) throw error(at, "block of " + n + " bytes runs past the unit's end");
                pos += (int) n;
            }
            default -> throw error(at, "unknown form 0x" + Integer.toHexString(form) + " in an entry format");
        }
    }

    private String stringAt(byte[] section, String name, long offset, int at) {
        if (section == null) throw error(at, "a string in " + name + ", which the module does not have");
        if (offset < 0 || offset >= section.length) throw error(at, "string offset " + offset + " is outside " + name + " (" + section.length + " bytes)");
        int end = (int) offset;
        while (end < section.length && section[end] != 0) end++;
        if (end == section.length) throw error(at, "string at " + offset + " in " + name + " has no terminating NUL");
        return new String(section, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }

    private void program(int end, int version, int addressSize, int minInst, int maxOps, boolean defaultIsStmt,
                         int lineBase, int lineRange, int opcodeBase, int[] standardLengths,
                         List<String> files, int firstFile, List<LineRow> out) {
        State s = new State(defaultIsStmt);
        limit = end;
        while (pos < end) {
            int at = pos;
            int op = u8();
            if (op >= opcodeBase) {
                int adjusted = op - opcodeBase;
                s.advance(adjusted / lineRange, minInst, maxOps);
                s.line += lineBase + adjusted % lineRange;
                if (!s.dead) out.add(s.row(files, firstFile, at));
                s.afterRow();
            } else if (op == 0) {
                long len = uleb();
                if (len == 0 || len > end - pos) throw error(at, "extended opcode length " + len + " (1 to " + (end - pos) + " bytes left)");
                int next = pos + (int) len;
                int sub = u8();
                switch (sub) {
                    case 1 -> { // DW_LNE_end_sequence
                        s.endSequence = true;
                        if (!s.dead) out.add(s.row(files, firstFile, at));
                        s = new State(defaultIsStmt);
                    }
                    case 2 -> { // DW_LNE_set_address
                        int n = next - pos;
                        if (n != addressSize && !(version < 5 && (n == 4 || n == 8))) {
                            throw error(at, "set_address with a " + n + "-byte operand");
                        }
                        s.address = n == 8 ? u64() : u32();
                        s.opIndex = 0;
                        s.dead = s.address == (n == 8 ? -1L : 0xFFFFFFFFL);
                    }
                    case 3 -> { // DW_LNE_define_file (v2..4)
                        // Deprecated since DWARF 5 and never emitted by LLVM: kept without its
                        // directory, which is enough to match a file by name.
                        files.add(cstring());
                        uleb();
                        uleb();
                        uleb();
                    }
                    case 4 -> s.discriminator = uleb(); // DW_LNE_set_discriminator
                    default -> { } // vendor extensions: their length says how far to skip
                }
                if (pos > next) throw error(at, "extended opcode " + sub + " reads past its length " + len);
                pos = next;
            } else {
                switch (op) {
                    case 1 -> { // DW_LNS_copy
                        if (!s.dead) out.add(s.row(files, firstFile, at));
                        s.afterRow();
                    }
                    case 2 -> s.advance(uleb(), minInst, maxOps);
                    case 3 -> s.line += sleb();
                    case 4 -> s.file = uleb();
                    case 5 -> s.column = uleb();
                    case 6 -> s.isStmt = !s.isStmt;
                    case 7 -> { } // basic_block
                    case 8 -> s.advance((255 - opcodeBase) / lineRange, minInst, maxOps);
                    case 9 -> {
                        s.address += u16();
                        s.opIndex = 0;
                    }
                    case 10, 11 -> { } // prologue_end, epilogue_begin
                    case 12 -> uleb(); // isa
                    default -> { for (int i = 0; i < standardLengths[op]; i++) uleb(); } // unknown: its operand count is in the header
                }
            }
        }
    }

    /** The line state machine's registers (DWARF 5, 6.2.2). */
    private final class State {
        long address;
        long opIndex;
        long file = 1;
        long line = 1;
        long column;
        boolean isStmt;
        boolean endSequence;
        long discriminator;
        boolean dead;

        State(boolean defaultIsStmt) { isStmt = defaultIsStmt; }

        void advance(long operationAdvance, int minInst, int maxOps) {
            if (maxOps == 1) {
                address += minInst * operationAdvance;
            } else {
                address += minInst * ((opIndex + operationAdvance) / maxOps);
                opIndex = (opIndex + operationAdvance) % maxOps;
            }
        }

        void afterRow() { discriminator = 0; }

        LineRow row(List<String> files, int firstFile, int at) {
            long index = file - firstFile;
            if (index < 0 || index >= files.size()) {
                throw error(at, "row names file " + file + ", but the header lists " + files.size()
                    + " (numbered from " + firstFile + ")");
            }
            if (line < 0 || line > Integer.MAX_VALUE) throw error(at, "line " + line + " is out of range");
            long a = address & 0xFFFFFFFFL;
            return new LineRow(a, codeStart + a, files.get((int) index), (int) line,
                (int) Math.min(column, Integer.MAX_VALUE), isStmt, endSequence);
        }
    }

    private void need(int n) {
        if (n > limit - pos) {
            throw error(pos, "unexpected end of " + (limit == b.length ? "section" : "unit") + " (" + n + " bytes needed, " + (limit - pos) + " left)");
        }
        pos += n;
    }

    private int u8() {
        need(1);
        return b[pos - 1] & 0xFF;
    }

    private int u16() {
        need(2);
        return (b[pos - 2] & 0xFF) | (b[pos - 1] & 0xFF) << 8;
    }

    private long u32() {
        need(4);
        int p = pos - 4;
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }

    private long u64() {
        long lo = u32();
        return lo | u32() << 32;
    }

    private long uleb() {
        int at = pos;
        long r = 0;
        for (int shift = 0; ; shift += 7) {
            int v = u8();
            if (shift >= 64) throw error(at, "LEB128 longer than 64 bits");
            r |= (long) (v & 0x7F) << shift;
            if ((v & 0x80) == 0) return r;
        }
    }

    private long sleb() {
        int at = pos;
        long r = 0;
        int shift = 0;
        int v;
        do {
            v = u8();
            if (shift >= 64) throw error(at, "LEB128 longer than 64 bits");
            r |= (long) (v & 0x7F) << shift;
            shift += 7;
        } while ((v & 0x80) != 0);
        if (shift < 64 && (v & 0x40) != 0) r |= -1L << shift;
        return r;
    }

    private String cstring() {
        int start = pos;
        while (true) {
            if (pos >= limit) throw error(start, "string without a terminating NUL before the " + (limit == b.length ? "section's" : "unit's") + " end");
            if (b[pos++] == 0) break;
        }
        return new String(b, start, pos - 1 - start, StandardCharsets.UTF_8);
    }

    private static DwarfException error(long at, String message) { return new DwarfException(SECTION, at, message); }
}
