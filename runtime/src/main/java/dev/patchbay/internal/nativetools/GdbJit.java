/*
 * The NativeTools of an Engine with gdb support on: every code copy a Store maps is
 * registered with gdb's JIT interface (GdbJitInterface) as an in-memory ELF object, so
 * `gdb -p PID` then `bt` names guest functions and unwinds through them.
 *
 * The object (ET_REL, x86-64) has:
 *  - .text, SHT_NOBITS with SHF_ALLOC|SHF_EXECINSTR, sh_addr the copy's executable
 *    address and sh_size its length: gdb reads the bytes from the process, and takes an
 *    allocated section's address as absolute, so nothing needs relocating;
 *  - .symtab/.strtab: a function symbol for every guest function (its [start, end)) and
 *    for every trampoline and stub (named patchbay:...), values relative to .text;
 *  - .debug_frame: one CIE (code alignment 1, data alignment -8, return address column
 *    16, CFA = RSP + 8 and the return address at CFA - 8 on entry) and one FDE per
 *    UnwindRange the backend recorded, whose rows say exactly where the CFA and the
 *    caller's RBP are at every instruction: after `push rbp` CFA = RSP + 16 with RBP at
 *    CFA - 16, after `mov rbp, rsp` CFA = RBP + 16, after an epilogue's `pop rbp` CFA =
 *    RSP + 8 with RBP the caller's, and the trampolines' own shapes (pushfq before the
 *    frame in hook trampolines, the unwind path's RSP-based pops).
 *
 * Invariants: registered after the bytes are written and before guest code can run
 * (NativeTools.mapped); unregistered before the mapping goes (unmapped), also after the
 * Engine closed, since a Store can outlive its Engine's close. An unmapped copy that was
 * never registered (a copy mapped before the tool existed) is ignored.
 */
package dev.patchbay.internal.nativetools;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.UnwindRange;
import dev.patchbay.internal.sys.CodeMemory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Registers every mapped code copy with gdb's JIT interface. */
public final class GdbJit implements NativeTools {
    /** DWARF register numbers (System V x86-64 psABI). */
    static final int DW_RBP = 6, DW_RSP = 7, DW_RA = 16;
    static final int DW_CFA_advance_loc = 0x40, DW_CFA_offset = 0x80, DW_CFA_advance_loc1 = 0x02, DW_CFA_advance_loc2 = 0x03,
        DW_CFA_advance_loc4 = 0x04, DW_CFA_same_value = 0x08, DW_CFA_def_cfa = 0x0c;

    private final GdbJitInterface jit;
    private final Map<CodeMemory, Long> entries = new IdentityHashMap<>();
    private boolean closed;

    /**
     * Loads the process's JIT interface if no Engine has yet.
     *
     * @throws java.io.UncheckedIOException if its shared object cannot be written
     * @throws UnsatisfiedLinkError if it cannot be loaded
     */
    public GdbJit() {
        this.jit = GdbJitInterface.get();
    }

    /** The process's interface. */
    public GdbJitInterface jitInterface() { return jit; }

    @Override public void mapped(CodeMemory code, CompiledModule module) {
        byte[] object = object(code.execBase(), module);
        synchronized (this) {
            if (closed) return;
            entries.put(code, jit.register(object));
        }
    }

    @Override public void unmapped(CodeMemory code) {
        Long entry;
        synchronized (this) {
            entry = entries.remove(code);
        }
        if (entry != null) jit.unregister(entry);
    }

    /** Stops registering; copies still mapped stay registered until they are unmapped. */
    @Override public synchronized void close() {
        closed = true;
    }

    /** How many copies this Engine has registered and not yet unregistered. */
    public synchronized int registered() { return entries.size(); }

    /**
     * The ELF object describing {@code module}'s code mapped at {@code base}.
     *
     * @param base the executable address of the code's first byte
     * @param module the code
     */
    public static byte[] object(long base, CompiledModule module) {
        Elf64 elf = new Elf64(Elf64.ET_REL, 0);
        Elf64.Section text = elf.addNoBits(".text", Elf64.SHF_ALLOC | Elf64.SHF_EXECINSTR, 16, base, module.codeSize());
        Elf64.StringTable str = new Elf64.StringTable();
        List<long[]> syms = new ArrayList<>();
        for (FunctionInfo f : module.functions) {
            syms.add(new long[] {str.add(f.name), f.start, f.size()});
        }
        for (UnwindRange u : module.unwind) {
            if (u.kind == UnwindRange.Kind.FUNCTION) continue;
            syms.add(new long[] {str.add(u.name), u.start, u.end - u.start});
        }
        ByteBuffer sym = GdbJitInterface.le((syms.size() + 1) * Elf64.SYM_SIZE);
        Elf64.symbol(sym, 0, 0, 0, 0, 0, 0);
        for (long[] s : syms) Elf64.symbol(sym, (int) s[0], Elf64.STB_GLOBAL, Elf64.STT_FUNC, text.index, s[1], s[2]);
        Elf64.Section symtab = elf.add(".symtab", Elf64.SHT_SYMTAB, 0, 8, false, sym.array());
        Elf64.Section strtab = elf.add(".strtab", Elf64.SHT_STRTAB, 0, 1, false, str.bytes());
        symtab.link = strtab.index;
        symtab.info = 1;
        symtab.entsize = Elf64.SYM_SIZE;
        if (!module.unwind.isEmpty()) elf.add(".debug_frame", Elf64.SHT_PROGBITS, 0, 8, false, debugFrame(base, module.unwind));
        return elf.bytes();
    }

    /** A .debug_frame section (DWARF 2 CIE version 1, absolute 8-byte addresses) for the ranges. */
    static byte[] debugFrame(long base, List<UnwindRange> ranges) {
        Elf64.Bytes out = new Elf64.Bytes();
        Elf64.Bytes cie = new Elf64.Bytes();
        le32(cie, 0xffffffff);          // CIE_id
        cie.write(1);                   // version
        cie.write(0);                   // augmentation ""
        uleb(cie, 1);                   // code alignment
        sleb(cie, -8);                  // data alignment
        cie.write(DW_RA);               // return address register
        cie.write(DW_CFA_def_cfa);      // CFA = RSP + 8 at a function's first byte
        uleb(cie, DW_RSP);
        uleb(cie, 8);
        cie.write(DW_CFA_offset | DW_RA); // return address at CFA - 8
        uleb(cie, 1);
        entry(out, cie);
        for (UnwindRange u : ranges) {
            Elf64.Bytes fde = new Elf64.Bytes();
            le32(fde, 0);               // CIE pointer: the CIE at offset 0
            le64(fde, base + u.start);
            le64(fde, u.end - u.start);
            int at = u.start;
            for (UnwindRange.Row r : u.rows) {
                advance(fde, r.offset() - at);
                at = r.offset();
                fde.write(DW_CFA_def_cfa);
                uleb(fde, r.cfaFromRbp() ? DW_RBP : DW_RSP);
                uleb(fde, r.cfaOffset());
                if (r.savedRbp() == 0) {
                    fde.write(DW_CFA_same_value);
                    uleb(fde, DW_RBP);
                } else {
                    fde.write(DW_CFA_offset | DW_RBP);
                    uleb(fde, -r.savedRbp() / 8);
                }
            }
            entry(out, fde);
        }
        return out.toByteArray();
    }

    /** A length-prefixed CIE or FDE, padded with DW_CFA_nop to a multiple of 8 bytes. */
    private static void entry(Elf64.Bytes out, Elf64.Bytes body) {
        while ((4 + body.size()) % 8 != 0) body.write(0);
        le32(out, body.size());
        out.writeBytes(body.toByteArray());
    }

    private static void advance(Elf64.Bytes o, int delta) {
        if (delta == 0) return;
        if (delta < 0x40) {
            o.write(DW_CFA_advance_loc | delta);
        } else if (delta < 0x100) {
            o.write(DW_CFA_advance_loc1);
            o.write(delta);
        } else if (delta < 0x10000) {
            o.write(DW_CFA_advance_loc2);
            o.write(delta);
            o.write(delta >> 8);
        } else {
            o.write(DW_CFA_advance_loc4);
            le32(o, delta);
        }
    }

    static void uleb(Elf64.Bytes o, long v) {
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            o.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }

    static void sleb(Elf64.Bytes o, long v) {
        while (true) {
            int b = (int) (v & 0x7f);
            v >>= 7;
            boolean done = v == 0 && (b & 0x40) == 0 || v == -1 && (b & 0x40) != 0;
            o.write(done ? b : b | 0x80);
            if (done) return;
        }
    }

    private static void le32(Elf64.Bytes o, int v) {
        for (int i = 0; i < 4; i++) o.write(v >> 8 * i);
    }

    private static void le64(Elf64.Bytes o, long v) {
        for (int i = 0; i < 8; i++) o.write((int) (v >> 8 * i));
    }
}
