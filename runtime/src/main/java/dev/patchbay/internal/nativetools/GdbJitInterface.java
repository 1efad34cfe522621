/*
 * gdb's JIT interface (gdb manual, "JIT Compilation Interface"): gdb looks, in every
 * loaded object, for a function __jit_debug_register_code, on which it sets a breakpoint,
 * and a data object __jit_debug_descriptor { u32 version = 1; u32 action_flag;
 * jit_code_entry *relevant_entry; jit_code_entry *first_entry; }, the head of a doubly
 * linked list of jit_code_entry { next, prev, const char *symfile_addr, u64 symfile_size }.
 * Each entry points at an ELF object in memory. To add one, the JIT links the entry, sets
 * relevant_entry and action_flag = JIT_REGISTER and calls the function; gdb, stopped at
 * its breakpoint, reads the object. A gdb that attaches later walks the list.
 *
 * The two symbols must be exported by a loaded object, and Patchbay compiles no C, so
 * this class writes a tiny shared object (one `ret`, emitted by codegen's Assembler, and
 * the 24-byte descriptor), puts it in a private temporary directory and dlopens it. The
 * file stays while the process runs (gdb reads symbols from the file named in the link
 * map) and is deleted at JVM exit.
 *
 * Invariants:
 *  - One shim per class loader of this class, loaded on first use, never unloaded.
 *  - Every change to the list and the descriptor, and the call that tells gdb, happens
 *    under LOCK: entries from racing Stores never interleave, and action_flag is back to
 *    JIT_NOACTION once the call returns.
 *  - An entry and its object stay allocated until they are unlinked.
 */
package dev.patchbay.internal.nativetools;

import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.internal.sys.Native;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** The process's GDB JIT descriptor and its list of registered objects. */
public final class GdbJitInterface {
    public static final String REGISTER_CODE = "__jit_debug_register_code";
    public static final String DESCRIPTOR = "__jit_debug_descriptor";
    public static final int JIT_NOACTION = 0, JIT_REGISTER = 1, JIT_UNREGISTER = 2;
    /** jit_code_entry: next, prev, symfile_addr, symfile_size. */
    public static final int ENTRY_SIZE = 32;
    public static final int DESCRIPTOR_SIZE = 24;

    private static final Object LOCK = new Object();
    private static final System.Logger LOG = System.getLogger(GdbJitInterface.class.getName());
    private static GdbJitInterface instance;

    private final Native.SharedObject shim;
    private final Path file;
    private final long registerCode;
    private final long descriptor;

    private GdbJitInterface(Native.SharedObject shim, Path file) {
        this.shim = shim;
        this.file = file;
        this.registerCode = shim.symbol(REGISTER_CODE);
        this.descriptor = shim.symbol(DESCRIPTOR);
    }

    /**
     * The process's interface, the shim written and loaded on the first call.
     *
     * @throws UncheckedIOException if the shim cannot be written
     * @throws UnsatisfiedLinkError if it cannot be loaded
     */
    public static GdbJitInterface get() {
        synchronized (LOCK) {
            if (instance == null) {
                Path f = writeShim();
                instance = new GdbJitInterface(Native.dlopen(f.toString()), f);
                LOG.log(System.Logger.Level.DEBUG, "gdb JIT interface: loaded {0}", f);
            }
            return instance;
        }
    }

    /** The shim's file. */
    public Path file() { return file; }

    /** The descriptor's address. */
    public long descriptor() { return descriptor; }

    /** __jit_debug_register_code's address. */
    public long registerCode() { return registerCode; }

    private static Path writeShim() {
        try {
            Path dir = Files.createTempDirectory("patchbay-gdb-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path f = dir.resolve("libpatchbay-gdbjit.so");
            Files.write(f, shim());
            // Deleted in reverse order of registration: the file, then its directory.
            dir.toFile().deleteOnExit();
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("gdb JIT interface: cannot write its shared object in java.io.tmpdir", e);
        }
    }

    /**
     * The shared object: __jit_debug_register_code (a `ret`) in an R+X segment,
     * __jit_debug_descriptor (version 1, empty list) in an RW one, with .hash, .dynsym,
     * .dynstr and .dynamic for the dynamic loader and section headers for gdb.
     */
    static byte[] shim() {
        Elf64 elf = new Elf64(Elf64.ET_DYN, 4);
        Elf64.StringTable dynstr = new Elf64.StringTable();
        int nFn = dynstr.add(REGISTER_CODE), nDesc = dynstr.add(DESCRIPTOR), nSoname = dynstr.add("libpatchbay-gdbjit.so");
        byte[] strBytes = dynstr.bytes();
        // nbucket 1, nchain 3: bucket[0] = 1, chain[1] = 2, chain[2] = 0 (end).
        ByteBuffer hash = le(4 * 6).putInt(1).putInt(3).putInt(1).putInt(0).putInt(2).putInt(0);
        Elf64.Section hashS = elf.add(".hash", Elf64.SHT_HASH, Elf64.SHF_ALLOC, 8, true, hash.array());
        Elf64.Section dynsym = elf.add(".dynsym", Elf64.SHT_DYNSYM, Elf64.SHF_ALLOC, 8, true, new byte[3 * Elf64.SYM_SIZE]);
        Elf64.Section dynstrS = elf.add(".dynstr", Elf64.SHT_STRTAB, Elf64.SHF_ALLOC, 1, true, strBytes);
        CodeBuffer buf = new CodeBuffer();
        new Assembler(buf).ret();
        byte[] code = buf.bytes();
        Elf64.Section text = elf.add(".text", Elf64.SHT_PROGBITS, Elf64.SHF_ALLOC | Elf64.SHF_EXECINSTR, 16, true, code);
        Elf64.Section dynamic = elf.add(".dynamic", Elf64.SHT_DYNAMIC, Elf64.SHF_ALLOC | Elf64.SHF_WRITE, 4096, true, new byte[7 * 16]);
        ByteBuffer desc = le(DESCRIPTOR_SIZE).putInt(1).putInt(JIT_NOACTION).putLong(0).putLong(0);
        Elf64.Section data = elf.add(".data", Elf64.SHT_PROGBITS, Elf64.SHF_ALLOC | Elf64.SHF_WRITE, 8, true, desc.array());
        elf.layout();
        ByteBuffer syms = le(3 * Elf64.SYM_SIZE);
        Elf64.symbol(syms, 0, 0, 0, 0, 0, 0);
        Elf64.symbol(syms, nFn, Elf64.STB_GLOBAL, Elf64.STT_FUNC, text.index, text.addr, code.length);
        Elf64.symbol(syms, nDesc, Elf64.STB_GLOBAL, Elf64.STT_OBJECT, data.index, data.addr, DESCRIPTOR_SIZE);
        dynsym.data = syms.array();
        dynsym.link = dynstrS.index;
        dynsym.info = 1;
        dynsym.entsize = Elf64.SYM_SIZE;
        hashS.link = dynsym.index;
        hashS.entsize = 4;
        ByteBuffer dyn = le(7 * 16);
        dyn.putLong(4).putLong(hashS.addr);        // DT_HASH
        dyn.putLong(5).putLong(dynstrS.addr);      // DT_STRTAB
        dyn.putLong(6).putLong(dynsym.addr);       // DT_SYMTAB
        dyn.putLong(10).putLong(strBytes.length);  // DT_STRSZ
        dyn.putLong(11).putLong(Elf64.SYM_SIZE);   // DT_SYMENT
        dyn.putLong(14).putLong(nSoname);          // DT_SONAME
        dyn.putLong(0).putLong(0);                 // DT_NULL
        dynamic.data = dyn.array();
        dynamic.link = dynstrS.index;
        dynamic.entsize = 16;
        elf.segment(Elf64.PT_LOAD, Elf64.PF_R | Elf64.PF_X, hashS, text, 4096);
        elf.segment(Elf64.PT_LOAD, Elf64.PF_R | Elf64.PF_W, dynamic, data, 4096);
        elf.segment(Elf64.PT_DYNAMIC, Elf64.PF_R | Elf64.PF_W, dynamic, dynamic, 8);
        // Without PT_GNU_STACK the loader would make every thread's stack executable.
        elf.segment(Elf64.PT_GNU_STACK, Elf64.PF_R | Elf64.PF_W, null, null, 16);
        return elf.bytes();
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies {@code object} into native memory, links it at the head of the list and tells
     * gdb (JIT_REGISTER).
     *
     * @return the entry, for {@link #unregister}
     */
    public long register(byte[] object) {
        long sym = Native.malloc(object.length);
        long entry;
        try {
            Native.copyFromArray(object, 0, sym, object.length);
            entry = Native.calloc(1, ENTRY_SIZE);
        } catch (RuntimeException | Error e) {
            Native.free(sym);
            throw e;
        }
        Native.putLong(entry + 16, sym);
        Native.putLong(entry + 24, object.length);
        synchronized (LOCK) {
            long first = Native.getLong(descriptor + 16);
            Native.putLong(entry, first);
            Native.putLong(entry + 8, 0);
            if (first != 0) Native.putLong(first + 8, entry);
            Native.putLong(descriptor + 16, entry);
            notifyGdb(entry, JIT_REGISTER);
        }
        return entry;
    }

    /** Unlinks an entry {@link #register} returned, tells gdb (JIT_UNREGISTER) and frees it and its object. */
    public void unregister(long entry) {
        synchronized (LOCK) {
            long next = Native.getLong(entry), prev = Native.getLong(entry + 8);
            if (prev != 0) Native.putLong(prev, next);
            else Native.putLong(descriptor + 16, next);
            if (next != 0) Native.putLong(next + 8, prev);
            notifyGdb(entry, JIT_UNREGISTER);
        }
        Native.free(Native.getLong(entry + 16));
        Native.free(entry);
    }

    private void notifyGdb(long entry, int action) {
        Native.putLong(descriptor + 8, entry);
        Native.putInt(descriptor + 4, action);
        Native.call(registerCode);
        Native.putInt(descriptor + 4, JIT_NOACTION);
        Native.putLong(descriptor + 8, 0);
    }

    /** The registered objects, head first, as {address, size} pairs read from the list. */
    public List<long[]> entries() {
        synchronized (LOCK) {
            List<long[]> out = new ArrayList<>();
            for (long e = Native.getLong(descriptor + 16); e != 0; e = Native.getLong(e)) {
                out.add(new long[] {Native.getLong(e + 16), Native.getLong(e + 24)});
            }
            return out;
        }
    }

    /** The descriptor's version and action_flag, for tests. */
    public int[] versionAndAction() {
        return new int[] {Native.getInt(descriptor), Native.getInt(descriptor + 4)};
    }
}
