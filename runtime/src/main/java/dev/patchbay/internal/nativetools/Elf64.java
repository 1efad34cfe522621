/*
 * gdb learns about code only from ELF: the symbols that name the JIT interface are found
 * in a loaded shared object, and every piece of registered code is an ELF object in
 * memory. Patchbay ships no C and no prebuilt binaries, so both are written here: a
 * little-endian ELF64 file for x86-64 made of sections (and, for a shared object, the
 * program headers that map them).
 *
 * Invariants:
 *  - Sections are laid out in the order they were added, each at a file offset aligned
 *    to its alignment, after the ELF header and program headers; .shstrtab and the section
 *    header table come last. A section added with loadAtOffset gets sh_addr == its file
 *    offset, so a shared object whose segments map the file from offset 0 satisfies
 *    p_vaddr == p_offset (mod page size), which the dynamic loader requires.
 *  - Program headers refer to laid-out sections only; layout is fixed when the first
 *    program header is added or the bytes are written.
 */
package dev.patchbay.internal.nativetools;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A little-endian ELF64 x86-64 file, built section by section. */
final class Elf64 {
    static final int ET_REL = 1, ET_DYN = 3;
    static final int EM_X86_64 = 62;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOBITS = 8,
        SHT_DYNSYM = 11;
    static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_GNU_STACK = 0x6474e551;
    static final int PF_X = 1, PF_W = 2, PF_R = 4;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1, STT_OBJECT = 1, STT_FUNC = 2;
    static final int EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64, SYM_SIZE = 24;

    /** One section; index is its position in the section header table (0 is the null section). */
    static final class Section {
        final String name;
        final int type;
        final long flags;
        final long align;
        final boolean loadAtOffset;
        byte[] data;
        long addr;
        long size;
        int link, info;
        long entsize;
        int index;
        long offset = -1;

        Section(String name, int type, long flags, long align, boolean loadAtOffset, byte[] data) {
            this.name = name;
            this.type = type;
            this.flags = flags;
            this.align = align;
            this.loadAtOffset = loadAtOffset;
            this.data = data;
            this.size = data.length;
        }
    }

    private final int type;
    private final int phnum;
    private final List<Section> sections = new ArrayList<>();
    private final List<long[]> phdrs = new ArrayList<>();
    private long end;

    /**
     * @param type ET_REL or ET_DYN
     * @param phnum how many program headers will be added (their room comes before the sections)
     */
    Elf64(int type, int phnum) {
        this.type = type;
        this.phnum = phnum;
    }

    /** Adds a section with contents; loadAtOffset gives it sh_addr = its file offset. */
    Section add(String name, int type, long flags, long align, boolean loadAtOffset, byte[] data) {
        if (end != 0) throw new IllegalStateException("sections are laid out already");
        Section s = new Section(name, type, flags, align, loadAtOffset, data);
        s.index = sections.size() + 1;
        sections.add(s);
        return s;
    }

    /** Adds a SHT_NOBITS section describing {@code size} bytes at {@code addr} (memory the file does not hold). */
    Section addNoBits(String name, long flags, long align, long addr, long size) {
        Section s = add(name, SHT_NOBITS, flags, align, false, new byte[0]);
        s.addr = addr;
        s.size = size;
        return s;
    }

    /** Fixes every section's offset (and the addresses of loadAtOffset sections). */
    void layout() {
        if (end != 0) return;
        long at = EHDR_SIZE + (long) PHDR_SIZE * phnum;
        for (Section s : sections) {
            at = align(at, s.align);
            s.offset = at;
            if (s.loadAtOffset) s.addr = at;
            if (s.type != SHT_NOBITS) at += s.data.length;
        }
        end = at;
    }

    /**
     * Adds a program header covering [first.offset, last's end) at the same addresses,
     * with p_align {@code align}. For PT_GNU_STACK, pass null sections.
     */
    void segment(int ptype, int pflags, Section first, Section last, long align) {
        layout();
        if (phdrs.size() == phnum) throw new IllegalStateException("more than " + phnum + " program headers");
        if (first == null) {
            phdrs.add(new long[] {ptype, pflags, 0, 0, 0, 0, 16});
            return;
        }
        long size = last.offset + last.data.length - first.offset;
        phdrs.add(new long[] {ptype, pflags, first.offset, first.addr, size, size, align});
    }

    static long align(long v, long a) {
        return a <= 1 ? v : (v + a - 1) / a * a;
    }

    /** The file. */
    byte[] bytes() {
        layout();
        if (phdrs.size() != phnum) throw new IllegalStateException(phdrs.size() + " of " + phnum + " program headers added");
        StringTable shstr = new StringTable();
        int[] names = new int[sections.size()];
        for (int i = 0; i < sections.size(); i++) names[i] = shstr.add(sections.get(i).name);
        int shstrName = shstr.add(".shstrtab");
        byte[] shstrBytes = shstr.bytes();
        long shstrOffset = end;
        long shoff = align(shstrOffset + shstrBytes.length, 8);
        int shnum = sections.size() + 2;
        ByteBuffer b = ByteBuffer.allocate((int) (shoff + (long) SHDR_SIZE * shnum)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) type).putShort((short) EM_X86_64).putInt(1).putLong(0)
            .putLong(phnum == 0 ? 0 : EHDR_SIZE).putLong(shoff).putInt(0)
            .putShort((short) EHDR_SIZE).putShort((short) (phnum == 0 ? 0 : PHDR_SIZE)).putShort((short) phnum)
            .putShort((short) SHDR_SIZE).putShort((short) shnum).putShort((short) (shnum - 1));
        for (long[] p : phdrs) {
            b.putInt((int) p[0]).putInt((int) p[1]).putLong(p[2]).putLong(p[3]).putLong(p[3]).putLong(p[4]).putLong(p[5]).putLong(p[6]);
        }
        for (Section s : sections) {
            if (s.type != SHT_NOBITS) b.put((int) s.offset, s.data);
        }
        b.put((int) shstrOffset, shstrBytes);
        b.position((int) shoff);
        b.put(new byte[SHDR_SIZE]);
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            b.putInt(names[i]).putInt(s.type).putLong(s.flags).putLong(s.addr).putLong(s.offset).putLong(s.size)
                .putInt(s.link).putInt(s.info).putLong(s.align).putLong(s.entsize);
        }
        b.putInt(shstrName).putInt(SHT_STRTAB).putLong(0).putLong(0).putLong(shstrOffset).putLong(shstrBytes.length)
            .putInt(0).putInt(0).putLong(1).putLong(0);
        return b.array();
    }

    /**
     * A growable byte array, unsynchronized: ByteArrayOutputStream takes its monitor per
     * byte, which made building one small object cost about 20 us.
     */
    static final class Bytes {
        private byte[] a = new byte[256];
        private int n;

        void write(int b) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = (byte) b;
        }

        void writeBytes(byte[] b) {
            if (n + b.length > a.length) a = java.util.Arrays.copyOf(a, Math.max(2 * a.length, n + b.length));
            System.arraycopy(b, 0, a, n, b.length);
            n += b.length;
        }

        int size() { return n; }

        byte[] toByteArray() { return java.util.Arrays.copyOf(a, n); }
    }

    /** A string table: offset 0 is the empty string. */
    static final class StringTable {
        private final Bytes out = new Bytes();

        StringTable() { out.write(0); }

        int add(String s) {
            int at = out.size();
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return at;
        }

        byte[] bytes() { return out.toByteArray(); }
    }

    /** One Elf64_Sym. */
    static void symbol(ByteBuffer b, int name, int bind, int stype, int shndx, long value, long size) {
        b.putInt(name).put((byte) (bind << 4 | stype)).put((byte) 0).putShort((short) shndx).putLong(value).putLong(size);
    }
}
