// Problem: the backend needs to turn instruction choices into exact x86-64 bytes, including the
// irregular corners (REX for spl/bpl/sil/dil, SIB for RSP/R12 bases, forced disp8 for RBP/R13,
// short immediate forms, RIP-relative fixups), without each instruction re-deriving them.
// Approach: every ModRM-based instruction goes through one private emitter that writes
// prefixes, REX, opcode, ModRM, SIB and displacement; public methods only validate operand sizes
// and pick opcodes. The few "+register" opcodes (push, pop, mov imm, bswap) share a second tiny
// emitter. Sizes are operand sizes in bytes: 2 adds 0x66, 8 adds REX.W, 1 selects the byte opcode.
// Every public method that emits starts with buf.instructionStart(), so the buffer knows each
// instruction's start (the debugger's instruction table); a method that emits several
// instructions calls other public methods for all but its first, or records them itself.
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.machinst.BranchRangeException;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Encodes x86-64 instructions into a {@link dev.patchbay.codegen.machinst.CodeBuffer}, handling
 * prefixes, REX, ModRM, SIB, displacements and RIP-relative fixups in one place.
 */
public final class Assembler {
    // Legacy prefixes other than operand size, as flags for the core emitter.
    private static final int LOCK = 1;
    private static final int REP = 2; // F3, used here only as a mandatory prefix (popcnt/lzcnt/tzcnt)

    // Sets of legal operand sizes; sizes are powers of two, so a size is its own bit.
    private static final int S1248 = 1 | 2 | 4 | 8;
    private static final int S248 = 2 | 4 | 8;
    private static final int S48 = 4 | 8;

    private final CodeBuffer buf;

    public Assembler(CodeBuffer buf) {
        if (buf == null) {
            throw new IllegalArgumentException("code buffer must not be null");
        }
        this.buf = buf;
    }

    public CodeBuffer buffer() {
        return buf;
    }

    // ---- integer ALU ---------------------------------------------------------------------------

    /** {@code op dst, src} (register to register). */
    public void alu(AluOp op, int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, dst, src);
        rr(0, size, op.digit() * 8 + (size == 1 ? 0 : 1), src, dst);
    }

    /** {@code op dst, [src]}. */
    public void alu(AluOp op, int size, Gpr dst, Mem src) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, dst, src);
        rm(0, size, op.digit() * 8 + (size == 1 ? 2 : 3), dst.enc(), size == 1, src, 0);
    }

    /** {@code op [dst], src}. */
    public void alu(AluOp op, int size, Mem dst, Gpr src) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, dst, src);
        rm(0, size, op.digit() * 8 + (size == 1 ? 0 : 1), src.enc(), size == 1, dst, 0);
    }

    /** {@code op dst, imm}; imm8 sign-extended form when it fits. For size 8, imm is sign-extended. */
    public void aluImm(AluOp op, int size, Gpr dst, int imm) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, dst, imm);
        aluImmCore(0, op, size, dst, null, imm);
    }

    /** {@code op [dst], imm}. */
    public void aluImm(AluOp op, int size, Mem dst, int imm) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, dst, imm);
        aluImmCore(0, op, size, null, dst, imm);
    }

    public void test(int size, Gpr a, Gpr b) {
        buf.instructionStart();
        checkSize("test", size, S1248, a, b);
        rr(0, size, size == 1 ? 0x84 : 0x85, b, a);
    }

    /** {@code test a, imm}; there is no imm8 form for 16..64-bit test, so imm is full width. */
    public void testImm(int size, Gpr a, int imm) {
        buf.instructionStart();
        checkSize("test", size, S1248, a, imm);
        int v = normalizeImm("test", size, imm);
        int immBytes = immBytes(size);
        emit(0, size, size == 1 ? 0xF6 : 0xF7, 0, false, a, null, size == 1, immBytes);
        putImm(immBytes, v);
    }

    // ---- moves ---------------------------------------------------------------------------------

    public void mov(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkSize("mov", size, S1248, dst, src);
        rr(0, size, size == 1 ? 0x88 : 0x89, src, dst);
    }

    /** Load; a 4-byte load zero-extends into the full 64-bit register. */
    public void load(int size, Gpr dst, Mem src) {
        buf.instructionStart();
        checkSize("load", size, S1248, dst, src);
        rm(0, size, size == 1 ? 0x8A : 0x8B, dst.enc(), size == 1, src, 0);
    }

    /**
     * {@code mov dst, fs:[0]}: the thread pointer. The x86-64 TLS ABI requires the first
     * word of the thread control block to point at itself, so this reads the calling
     * thread's identity with one load that cannot fault (glibc sets FS for every thread).
     */
    public void loadThreadPointer(Gpr dst) {
        buf.instructionStart();
        buf.put1(0x64);
        buf.put1(0x48 | (dst.needsRex() ? 4 : 0));
        buf.put1(0x8B);
        buf.put1(0x04 | (dst.enc() & 7) << 3); // mod 00, rm 100: SIB follows
        buf.put1(0x25);                        // SIB: no base, no index: disp32 absolute
        buf.put4(0);
    }

    public void store(int size, Mem dst, Gpr src) {
        buf.instructionStart();
        checkSize("store", size, S1248, dst, src);
        rm(0, size, size == 1 ? 0x88 : 0x89, src.enc(), size == 1, dst, 0);
    }

    /** {@code mov [dst], imm}; for size 8 the 32-bit imm is sign-extended. */
    public void storeImm(int size, Mem dst, int imm) {
        buf.instructionStart();
        checkSize("storeImm", size, S1248, dst, imm);
        int v = normalizeImm("storeImm", size, imm);
        int immBytes = immBytes(size);
        rm(0, size, size == 1 ? 0xC6 : 0xC7, 0, false, dst, immBytes);
        putImm(immBytes, v);
    }

    /**
     * Loads a 64-bit constant with the shortest encoding that leaves flags alone: {@code mov r32,
     * imm32} (zero-extends) for 0..0xFFFFFFFF, {@code mov r/m64, simm32} for other values that
     * sign-extend from 32 bits, else {@code movabs r64, imm64}.
     */
    public void movImm(Gpr dst, long imm) {
        buf.instructionStart();
        checkReg("movImm", dst);
        if (imm >= 0 && imm <= 0xFFFF_FFFFL) {
            plusReg(4, 0xB8, dst);
            buf.put4((int) imm);
        } else if (imm == (int) imm) {
            emit(0, 8, 0xC7, 0, false, dst, null, false, 4);
            buf.put4((int) imm);
        } else {
            plusReg(8, 0xB8, dst);
            buf.put8(imm);
        }
    }

    /** {@code mov r32, imm32} (the upper 32 bits of the register become zero). */
    public void movImm32(Gpr dst, int imm) {
        buf.instructionStart();
        checkReg("movImm32", dst);
        plusReg(4, 0xB8, dst);
        buf.put4(imm);
    }

    /** {@code xor r32, r32}: the idiomatic zeroing form; clobbers flags. */
    public void zero(Gpr r) {
        buf.instructionStart();
        checkReg("zero", r);
        rr(0, 4, 0x31, r, r);
    }

    public void movzx(int srcSize, int dstSize, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkExtend("movzx", srcSize, dstSize, false, dst, src);
        emit(0, dstSize, srcSize == 1 ? 0x0FB6 : 0x0FB7, dst.enc(), false, src, null, srcSize == 1, 0);
    }

    public void movzx(int srcSize, int dstSize, Gpr dst, Mem src) {
        buf.instructionStart();
        checkExtend("movzx", srcSize, dstSize, false, dst, src);
        rm(0, dstSize, srcSize == 1 ? 0x0FB6 : 0x0FB7, dst.enc(), false, src, 0);
    }

    /** Sign-extending move; srcSize 4 (into 8) is movsxd. */
    public void movsx(int srcSize, int dstSize, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkExtend("movsx", srcSize, dstSize, true, dst, src);
        emit(0, dstSize, movsxOpcode(srcSize), dst.enc(), false, src, null, srcSize == 1, 0);
    }

    public void movsx(int srcSize, int dstSize, Gpr dst, Mem src) {
        buf.instructionStart();
        checkExtend("movsx", srcSize, dstSize, true, dst, src);
        rm(0, dstSize, movsxOpcode(srcSize), dst.enc(), false, src, 0);
    }

    public void lea(int size, Gpr dst, Mem src) {
        buf.instructionStart();
        checkSize("lea", size, S48, dst, src);
        rm(0, size, 0x8D, dst.enc(), false, src, 0);
    }

    public void xchg(int size, Gpr a, Gpr b) {
        buf.instructionStart();
        checkSize("xchg", size, S1248, a, b);
        rr(0, size, size == 1 ? 0x86 : 0x87, b, a);
    }

    // ---- group 3, multiply, divide ---------------------------------------------------------------

    public void not(int size, Gpr r) {
        buf.instructionStart();
        group3("not", 2, size, r);
    }

    public void neg(int size, Gpr r) {
        buf.instructionStart();
        group3("neg", 3, size, r);
    }

    /** Unsigned widening multiply: rdx:rax (or ax for size 1) = rax * src. */
    public void mul(int size, Gpr src) {
        buf.instructionStart();
        group3("mul", 4, size, src);
    }

    /** Signed widening multiply, one-operand form. */
    public void imulWide(int size, Gpr src) {
        buf.instructionStart();
        group3("imul", 5, size, src);
    }

    public void div(int size, Gpr src) {
        buf.instructionStart();
        group3("div", 6, size, src);
    }

    public void idiv(int size, Gpr src) {
        buf.instructionStart();
        group3("idiv", 7, size, src);
    }

    /** Truncating signed/unsigned multiply {@code dst *= src}. */
    public void imul(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkSize("imul", size, S248, dst, src);
        rr(0, size, 0x0FAF, dst, src);
    }

    public void imul(int size, Gpr dst, Mem src) {
        buf.instructionStart();
        checkSize("imul", size, S248, dst, src);
        rm(0, size, 0x0FAF, dst.enc(), false, src, 0);
    }

    /** {@code dst = src * imm}; for size 8 the imm is sign-extended. */
    public void imulImm(int size, Gpr dst, Gpr src, int imm) {
        buf.instructionStart();
        checkSize("imul", size, S248, dst, src, imm);
        int v = normalizeImm("imul", size, imm);
        if (fits8(v)) {
            rr(0, size, 0x6B, dst, src);
            buf.put1(v & 0xFF);
        } else {
            int immBytes = immBytes(size);
            rr(0, size, 0x69, dst, src);
            putImm(immBytes, v);
        }
    }

    /** Sign-extends AX/EAX/RAX into DX/EDX/RDX (cwd, cdq, cqo). */
    public void cwdCdqCqo(int size) {
        buf.instructionStart();
        checkSize("cwd/cdq/cqo", size, S248);
        plain(size, 0x99);
    }

    // ---- shifts ---------------------------------------------------------------------------------

    public void shiftCl(ShiftOp op, int size, Gpr r) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, r);
        emit(0, size, size == 1 ? 0xD2 : 0xD3, op.digit(), false, r, null, size == 1, 0);
    }

    /** Shift/rotate by an immediate count: 0..63 for size 8, 0..31 otherwise (the CPU masks beyond). */
    public void shiftImm(ShiftOp op, int size, Gpr r, int imm) {
        buf.instructionStart();
        checkSize(op.mnemonic(), size, S1248, r, imm);
        int max = size == 8 ? 63 : 31;
        if (imm < 0 || imm > max) {
            throw new IllegalArgumentException(op.mnemonic() + ": shift count " + imm + " out of range 0.."
                    + max + " for size " + size + " (register " + r + ")");
        }
        emit(0, size, size == 1 ? 0xC0 : 0xC1, op.digit(), false, r, null, size == 1, 1);
        buf.put1(imm);
    }

    // ---- bit operations --------------------------------------------------------------------------

    public void bsr(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        bitScan("bsr", 0, 0x0FBD, size, dst, src);
    }

    public void bsf(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        bitScan("bsf", 0, 0x0FBC, size, dst, src);
    }

    /** Requires LZCNT (ABM); on older CPUs the same bytes execute as bsr. */
    public void lzcnt(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        bitScan("lzcnt", REP, 0x0FBD, size, dst, src);
    }

    /** Requires BMI1; on older CPUs the same bytes execute as bsf. */
    public void tzcnt(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        bitScan("tzcnt", REP, 0x0FBC, size, dst, src);
    }

    public void popcnt(int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        bitScan("popcnt", REP, 0x0FB8, size, dst, src);
    }

    public void bswap(int size, Gpr r) {
        buf.instructionStart();
        // 16-bit bswap is undefined behaviour on real hardware, so it is refused.
        checkSize("bswap", size, S48, r);
        plusReg(size, 0x0FC8, r);
    }

    // ---- conditions ------------------------------------------------------------------------------

    /** Sets the low byte of {@code dst} to 0/1; the upper bytes are unchanged. */
    public void setcc(Cond cond, Gpr dst) {
        buf.instructionStart();
        checkReg("set" + cond.suffix(), dst);
        emit(0, 1, 0x0F90 + cond.enc(), 0, false, dst, null, true, 0);
    }

    public void cmov(Cond cond, int size, Gpr dst, Gpr src) {
        buf.instructionStart();
        checkSize("cmov" + cond.suffix(), size, S248, dst, src);
        rr(0, size, 0x0F40 + cond.enc(), dst, src);
    }

    public void cmov(Cond cond, int size, Gpr dst, Mem src) {
        buf.instructionStart();
        checkSize("cmov" + cond.suffix(), size, S248, dst, src);
        rm(0, size, 0x0F40 + cond.enc(), dst.enc(), false, src, 0);
    }

    // ---- stack and miscellaneous -------------------------------------------------------------------

    public void push(Gpr r) {
        buf.instructionStart();
        checkReg("push", r);
        plusReg(4, 0x50, r); // 64-bit by default in long mode: no REX.W
    }

    public void pop(Gpr r) {
        buf.instructionStart();
        checkReg("pop", r);
        plusReg(4, 0x58, r);
    }

    /** Pushes the imm32 sign-extended to 64 bits. */
    public void pushImm32(int imm) {
        buf.instructionStart();
        buf.put1(0x68);
        buf.put4(imm);
    }

    public void pushfq() {
        buf.instructionStart();
        buf.put1(0x9C);
    }

    public void popfq() {
        buf.instructionStart();
        buf.put1(0x9D);
    }

    /**
     * AH = SF:ZF:0:AF:0:PF:1:CF. With {@code seto al}, a cheap way to save the arithmetic flags:
     * popfq is microcoded and costs about 20 cycles. Needs CPUID LAHF-SAHF in 64-bit mode
     * (every x86-64 CPU since 2006).
     */
    public void lahf() {
        buf.instructionStart();
        buf.put1(0x9F);
    }

    /** Loads SF, ZF, AF, PF and CF from AH (OF is left alone). */
    public void sahf() {
        buf.instructionStart();
        buf.put1(0x9E);
    }

    public void ret() {
        buf.instructionStart();
        buf.put1(0xC3);
    }

    public void ud2() {
        buf.instructionStart();
        putOpcode(0x0F0B);
    }

    public void int3() {
        buf.instructionStart();
        buf.put1(0xCC);
    }

    public void hlt() {
        buf.instructionStart();
        buf.put1(0xF4);
    }

    public void syscall() {
        buf.instructionStart();
        putOpcode(0x0F05);
    }

    public void mfence() {
        buf.instructionStart();
        putOpcode(0x0FAEF0);
    }

    public void lfence() {
        buf.instructionStart();
        putOpcode(0x0FAEE8);
    }

    public void rdtsc() {
        buf.instructionStart();
        putOpcode(0x0F31);
    }

    /** cpuid: serializing; clobbers eax, ebx, ecx, edx. */
    public void cpuid() {
        buf.instructionStart();
        putOpcode(0x0FA2);
    }

    /** pause: a spin-wait hint. */
    public void pause() {
        buf.instructionStart();
        buf.put1(0xF3);
        buf.put1(0x90);
    }

    /** Exactly {@code len} bytes of recommended multi-byte NOPs. */
    public void nop(int len) {
        NopUnits.fill(buf, len);
    }

    /** NOP padding up to the next multiple of {@code alignment}. */
    public void align(int alignment) {
        NopUnits.align(buf, alignment);
    }

    // ---- control flow ----------------------------------------------------------------------------

    /**
     * {@code jmp label}; the short form (EB rel8) throws {@link BranchRangeException} if the label is
     * already bound out of reach (before emitting anything) or, later, when it gets bound out of reach.
     */
    public void jmp(Label target, boolean shortForm) {
        buf.instructionStart();
        checkLabel("jmp", target);
        if (shortForm) {
            branchRel8(0xEB, target);
        } else {
            branchRel32(0xE9, target);
        }
    }

    public void jcc(Cond cond, Label target, boolean shortForm) {
        buf.instructionStart();
        checkLabel("j" + cond.suffix(), target);
        if (shortForm) {
            branchRel8(0x70 + cond.enc(), target);
        } else {
            branchRel32(0x0F80 + cond.enc(), target);
        }
    }

    /**
     * {@code jmp label} whose size the buffer decides: emitted as {@code jmp rel32} and
     * registered with {@link dev.patchbay.codegen.machinst.CodeBuffer#relaxableBranch}, so
     * {@code relax()} turns it into {@code jmp rel8} when that reaches.
     */
    public void jmpRelaxable(Label target) {
        buf.instructionStart();
        checkLabel("jmp", target);
        int start = buf.offset();
        branchRel32(0xE9, target);
        buf.relaxableBranch(start, 0xEB, target);
    }

    /** {@code jcc label} whose size the buffer decides (see {@link #jmpRelaxable}). */
    public void jccRelaxable(Cond cond, Label target) {
        buf.instructionStart();
        checkLabel("j" + cond.suffix(), target);
        int start = buf.offset();
        branchRel32(0x0F80 + cond.enc(), target);
        buf.relaxableBranch(start, 0x70 + cond.enc(), target);
    }

    public void call(Label target) {
        buf.instructionStart();
        checkLabel("call", target);
        branchRel32(0xE8, target);
    }

    /** {@code call rel32} to an absolute offset in this buffer; returns the instruction's start offset. */
    public int callRel32(int targetOffset) {
        buf.instructionStart();
        if (targetOffset < 0) {
            throw new IllegalArgumentException("call target offset must be >= 0, got " + targetOffset);
        }
        int start = buf.offset();
        buf.put1(0xE8);
        buf.put4(targetOffset - (start + 5));
        return start;
    }

    /**
     * {@code call rel32} whose target is not in this buffer (a module symbol the caller
     * resolves later); returns the offset of the zeroed rel32 field, relative to the end of
     * the instruction (field + 4).
     */
    public int callRel32Field() {
        buf.instructionStart();
        buf.put1(0xE8);
        int field = buf.offset();
        buf.put4(0);
        return field;
    }

    /** {@code jmp rel32} to a target outside this buffer; returns the rel32 field's offset (see {@link #callRel32Field}). */
    public int jmpRel32Field() {
        buf.instructionStart();
        buf.put1(0xE9);
        int field = buf.offset();
        buf.put4(0);
        return field;
    }

    /** {@code lea dst, [rip + rel32]} to a target outside this buffer; returns the rel32 field's offset (see {@link #callRel32Field}). */
    public int leaRipRel32Field(Gpr dst) {
        buf.instructionStart();
        checkReg("lea", dst);
        buf.put1(0x48 | (dst.needsRex() ? 4 : 0));
        buf.put1(0x8D);
        buf.put1(0x05 | (dst.enc() & 7) << 3);
        int field = buf.offset();
        buf.put4(0);
        return field;
    }

    /** Length in bytes of {@code jcc rel32} ({@link #jccRel32Bytes}). */
    public static final int JCC_REL32_LEN = 6;
    /** Length in bytes of {@code jmp rel32} and {@code call rel32}. */
    public static final int JMP_REL32_LEN = 5;

    /**
     * The bytes of {@code jcc rel32} placed at {@code at} and reaching {@code target} (both
     * offsets in the same code), for patch-site forms kept outside the buffer.
     */
    public static byte[] jccRel32Bytes(Cond cond, int at, int target) {
        byte[] b = {0x0F, (byte) (0x80 | cond.enc()), 0, 0, 0, 0};
        putRel32(b, 2, target - (at + JCC_REL32_LEN));
        return b;
    }

    /** The bytes of {@code jmp rel32} at {@code at} reaching {@code target} (see {@link #jccRel32Bytes}). */
    public static byte[] jmpRel32Bytes(int at, int target) {
        byte[] b = {(byte) 0xE9, 0, 0, 0, 0};
        putRel32(b, 1, target - (at + JMP_REL32_LEN));
        return b;
    }

    /** The bytes of {@code call rel32} at {@code at} reaching {@code target} (see {@link #jccRel32Bytes}). */
    public static byte[] callRel32Bytes(int at, int target) {
        byte[] b = {(byte) 0xE8, 0, 0, 0, 0};
        putRel32(b, 1, target - (at + JMP_REL32_LEN));
        return b;
    }

    /**
     * {@code branch} (the bytes of a near jmp or jcc at {@code at}, whose rel32 is its last
     * four bytes) retargeted to {@code target}.
     */
    public static byte[] retargetRel32(byte[] branch, int at, int target) {
        boolean jmp = branch.length == JMP_REL32_LEN && (branch[0] & 0xFF) == 0xE9;
        boolean jcc = branch.length == JCC_REL32_LEN && branch[0] == 0x0F && (branch[1] & 0xF0) == 0x80;
        if (!jmp && !jcc) throw new IllegalArgumentException("not a near jmp or jcc: " + java.util.Arrays.toString(branch));
        byte[] b = branch.clone();
        putRel32(b, b.length - 4, target - (at + b.length));
        return b;
    }

    private static void putRel32(byte[] b, int at, int rel) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (rel >>> (8 * i));
    }

    public void call(Gpr target) {
        buf.instructionStart();
        checkReg("call", target);
        emit(0, 4, 0xFF, 2, false, target, null, false, 0); // 64-bit by default: no REX.W
    }

    public void call(Mem target) {
        buf.instructionStart();
        checkMem("call", target);
        rm(0, 4, 0xFF, 2, false, target, 0);
    }

    public void jmp(Gpr target) {
        buf.instructionStart();
        checkReg("jmp", target);
        emit(0, 4, 0xFF, 4, false, target, null, false, 0);
    }

    public void jmp(Mem target) {
        buf.instructionStart();
        checkMem("jmp", target);
        rm(0, 4, 0xFF, 4, false, target, 0);
    }

    // ---- atomics ---------------------------------------------------------------------------------

    /** {@code lock xadd [mem], src}: src receives the old value. */
    public void lockXadd(int size, Mem mem, Gpr src) {
        buf.instructionStart();
        checkSize("lock xadd", size, S1248, mem, src);
        rm(LOCK, size, size == 1 ? 0x0FC0 : 0x0FC1, src.enc(), size == 1, mem, 0);
    }

    /** {@code lock cmpxchg [mem], src}: compares with rax/eax/ax/al, which receives the old value. */
    public void lockCmpxchg(int size, Mem mem, Gpr src) {
        buf.instructionStart();
        checkSize("lock cmpxchg", size, S1248, mem, src);
        rm(LOCK, size, size == 1 ? 0x0FB0 : 0x0FB1, src.enc(), size == 1, mem, 0);
    }

    public void lockAdd(int size, Mem mem, Gpr src) {
        buf.instructionStart();
        lockAlu(AluOp.ADD, size, mem, src);
    }

    /** {@code lock op [mem], src}; CMP cannot be locked. */
    public void lockAlu(AluOp op, int size, Mem mem, Gpr src) {
        buf.instructionStart();
        checkLockable(op, mem, src);
        checkSize("lock " + op.mnemonic(), size, S1248, mem, src);
        rm(LOCK, size, op.digit() * 8 + (size == 1 ? 0 : 1), src.enc(), size == 1, mem, 0);
    }

    /** {@code lock op [mem], imm}; CMP cannot be locked. */
    public void lockAluImm(AluOp op, int size, Mem mem, int imm) {
        buf.instructionStart();
        checkLockable(op, mem, imm);
        checkSize("lock " + op.mnemonic(), size, S1248, mem, imm);
        aluImmCore(LOCK, op, size, null, mem, imm);
    }

    // ---- SSE scalar floating point ----------------------------------------------------------------
    //
    // Every form below is [66|F2|F3] [REX] 0F op ModRM ...: the mandatory prefix comes before REX,
    // which is why these do not go through emit(). `single` picks the ss form (F3) over sd (F2)
    // where an instruction has both.

    /** The scalar arithmetic ops that share one opcode map row: {@code op xmm, xmm/m32|m64}. */
    public enum SseOp {
        ADD(0x58, "add"), MUL(0x59, "mul"), SUB(0x5C, "sub"), MIN(0x5D, "min"), DIV(0x5E, "div"),
        MAX(0x5F, "max"), SQRT(0x51, "sqrt");

        final int opcode;
        final String mnemonic;

        SseOp(int opcode, String mnemonic) {
            this.opcode = opcode;
            this.mnemonic = mnemonic;
        }

        /** The mnemonic at a width, as objdump prints it: addss, sqrtsd. */
        public String mnemonic(boolean single) {
            return mnemonic + (single ? "ss" : "sd");
        }
    }

    /** Packed bitwise ops on the whole register, used for sign-bit and mask tricks. */
    public enum BitwiseOp {
        AND(0x54, "andps"), ANDN(0x55, "andnps"), OR(0x56, "orps"), XOR(0x57, "xorps");

        final int opcode;
        final String mnemonic;

        BitwiseOp(int opcode, String mnemonic) {
            this.opcode = opcode;
            this.mnemonic = mnemonic;
        }

        public String mnemonic() {
            return mnemonic;
        }
    }

    private static final int P66 = 0x66, PF2 = 0xF2, PF3 = 0xF3;

    private static int scalarPrefix(boolean single) {
        return single ? PF3 : PF2;
    }

    /** {@code op dst, src} scalar, register form (sqrt reads only src). */
    public void sse(SseOp op, boolean single, Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm(op.mnemonic(single), dst, src);
        sseCore(scalarPrefix(single), false, 0x0F00 | op.opcode, dst.enc(), src.enc(), null, 0);
    }

    /** {@code op dst, [src]} scalar, the 4- or 8-byte operand in memory. */
    public void sse(SseOp op, boolean single, Xmm dst, Mem src) {
        buf.instructionStart();
        checkXmm(op.mnemonic(single), dst, src);
        sseCore(scalarPrefix(single), false, 0x0F00 | op.opcode, dst.enc(), -1, src, 0);
    }

    /** {@code andps/andnps/orps/xorps dst, src}: all 128 bits. */
    public void bitwise(BitwiseOp op, Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm(op.mnemonic, dst, src);
        sseCore(0, false, 0x0F00 | op.opcode, dst.enc(), src.enc(), null, 0);
    }

    /** {@code andps/andnps/orps/xorps dst, [src]}: a 16-byte, 16-aligned memory operand. */
    public void bitwise(BitwiseOp op, Xmm dst, Mem src) {
        buf.instructionStart();
        checkXmm(op.mnemonic, dst, src);
        sseCore(0, false, 0x0F00 | op.opcode, dst.enc(), -1, src, 0);
    }

    /** {@code pxor dst, src}: with dst == src, the zero idiom that breaks dependencies. */
    public void pxor(Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm("pxor", dst, src);
        sseCore(P66, false, 0x0FEF, dst.enc(), src.enc(), null, 0);
    }

    /** {@code movaps dst, src}: a full-register copy (movss/movsd between registers would merge). */
    public void movaps(Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm("movaps", dst, src);
        sseCore(0, false, 0x0F28, dst.enc(), src.enc(), null, 0);
    }

    /** {@code movaps dst, [src]}: 16 bytes from a 16-byte aligned address (misaligned faults). */
    public void movapsLoad(Xmm dst, Mem src) {
        buf.instructionStart();
        checkXmm("movaps", dst, src);
        sseCore(0, false, 0x0F28, dst.enc(), -1, src, 0);
    }

    /** {@code movaps [dst], src}: 16 bytes to a 16-byte aligned address (misaligned faults). */
    public void movapsStore(Mem dst, Xmm src) {
        buf.instructionStart();
        checkXmm("movaps", dst, src);
        sseCore(0, false, 0x0F29, src.enc(), -1, dst, 0);
    }

    /** {@code movss/movsd dst, [src]}: loads 4 or 8 bytes and zeroes the rest of the register. */
    public void movsLoad(boolean single, Xmm dst, Mem src) {
        buf.instructionStart();
        checkXmm(single ? "movss" : "movsd", dst, src);
        sseCore(scalarPrefix(single), false, 0x0F10, dst.enc(), -1, src, 0);
    }

    /** {@code movss/movsd [dst], src}: stores the low 4 or 8 bytes. */
    public void movsStore(boolean single, Mem dst, Xmm src) {
        buf.instructionStart();
        checkXmm(single ? "movss" : "movsd", dst, src);
        sseCore(scalarPrefix(single), false, 0x0F11, src.enc(), -1, dst, 0);
    }

    /** {@code movd/movq dst, src} (size 4 or 8): GPR to XMM, the rest of the register zeroed. */
    public void movToXmm(int size, Xmm dst, Gpr src) {
        buf.instructionStart();
        checkSize(size == 8 ? "movq" : "movd", size, S48, dst, src);
        sseCore(P66, size == 8, 0x0F6E, dst.enc(), src.enc(), null, 0);
    }

    /** {@code movd/movq dst, src} (size 4 or 8): the low bits of an XMM register to a GPR. */
    public void movFromXmm(int size, Gpr dst, Xmm src) {
        buf.instructionStart();
        checkSize(size == 8 ? "movq" : "movd", size, S48, dst, src);
        sseCore(P66, size == 8, 0x0F7E, src.enc(), dst.enc(), null, 0);
    }

    /** {@code ucomiss/ucomisd a, b}: ZF, PF, CF from an unordered compare; quiet NaNs do not raise. */
    public void ucomis(boolean single, Xmm a, Xmm b) {
        buf.instructionStart();
        checkXmm(single ? "ucomiss" : "ucomisd", a, b);
        sseCore(single ? 0 : P66, false, 0x0F2E, a.enc(), b.enc(), null, 0);
    }

    /** {@code comiss/comisd a, b}: as ucomis, but any NaN raises invalid. */
    public void comis(boolean single, Xmm a, Xmm b) {
        buf.instructionStart();
        checkXmm(single ? "comiss" : "comisd", a, b);
        sseCore(single ? 0 : P66, false, 0x0F2F, a.enc(), b.enc(), null, 0);
    }

    /**
     * {@code cmpss/cmpsd dst, src, pred}: the low lane of dst becomes all ones where the
     * predicate (0 eq, 1 lt, 2 le, 3 unord, 4 neq, 5 nlt, 6 nle, 7 ord) holds, else zero.
     */
    public void cmps(boolean single, int pred, Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm(single ? "cmpss" : "cmpsd", dst, src);
        if (pred < 0 || pred > 7) {
            throw new IllegalArgumentException("cmps: predicate " + pred + " out of range 0..7 (" + dst + ", " + src + ")");
        }
        sseCore(scalarPrefix(single), false, 0x0FC2, dst.enc(), src.enc(), null, 1);
        buf.put1(pred);
    }

    /**
     * {@code cvtsi2ss/cvtsi2sd dst, src} from a 4- or 8-byte signed integer. It writes only the
     * low lane, so it depends on dst's old value: callers zero dst first (pxor) to break that.
     */
    public void cvtsi2s(boolean single, int srcSize, Xmm dst, Gpr src) {
        buf.instructionStart();
        checkSize(single ? "cvtsi2ss" : "cvtsi2sd", srcSize, S48, dst, src);
        sseCore(scalarPrefix(single), srcSize == 8, 0x0F2A, dst.enc(), src.enc(), null, 0);
    }

    /** {@code cvttss2si/cvttsd2si dst, src} into a 4- or 8-byte signed integer, truncating; out of range gives the "integer indefinite" (the minimum). */
    public void cvtts2si(boolean single, int dstSize, Gpr dst, Xmm src) {
        buf.instructionStart();
        checkSize(single ? "cvttss2si" : "cvttsd2si", dstSize, S48, dst, src);
        sseCore(scalarPrefix(single), dstSize == 8, 0x0F2C, dst.enc(), src.enc(), null, 0);
    }

    /** {@code cvtss2sd} (fromSingle) or {@code cvtsd2ss}. */
    public void cvtFloat(boolean fromSingle, Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm(fromSingle ? "cvtss2sd" : "cvtsd2ss", dst, src);
        sseCore(scalarPrefix(fromSingle), false, 0x0F5A, dst.enc(), src.enc(), null, 0);
    }

    /** SSE4.1 {@code roundss/roundsd dst, src, mode}: mode 0 nearest even, 1 floor, 2 ceil, 3 trunc; bit 3 suppresses inexact. */
    public void rounds(boolean single, int mode, Xmm dst, Xmm src) {
        buf.instructionStart();
        checkXmm(single ? "roundss" : "roundsd", dst, src);
        if (mode < 0 || mode > 15) {
            throw new IllegalArgumentException("rounds: mode " + mode + " out of range 0..15 (" + dst + ", " + src + ")");
        }
        sseCore(P66, false, 0x0F3A00 | (single ? 0x0A : 0x0B), dst.enc(), src.enc(), null, 1);
        buf.put1(mode);
    }

    /** {@code movmskps/movmskpd dst, src}: the sign bits of the lanes into the low bits of dst (32-bit write). */
    public void movmsk(boolean single, Gpr dst, Xmm src) {
        buf.instructionStart();
        checkXmm(single ? "movmskps" : "movmskpd", src, dst);
        sseCore(single ? 0 : P66, false, 0x0F50, dst.enc(), src.enc(), null, 0);
    }

    /**
     * FMA3 {@code vfmadd213ss/sd dst, b, c}: dst = b * dst + c, rounded once. VEX-encoded;
     * only for CPUs with FMA (the caller checks).
     */
    public void vfmadd213(boolean single, Xmm dst, Xmm b, Xmm c) {
        buf.instructionStart();
        checkXmm(single ? "vfmadd213ss" : "vfmadd213sd", dst, b, c);
        // Three-byte VEX: C4, [R X B m-mmmm=00010 (0F38)], [W vvvv L pp=01 (66)], opcode, ModRM.
        buf.put1(0xC4);
        buf.put1((dst.needsRex() ? 0 : 0x80) | 0x40 | (c.needsRex() ? 0 : 0x20) | 0x02);
        buf.put1((single ? 0 : 0x80) | ((~b.enc() & 15) << 3) | 0x01);
        buf.put1(0xA9);
        buf.put1(0xC0 | (dst.enc() & 7) << 3 | (c.enc() & 7));
    }

    /** {@code vfmadd213ss/sd dst, b, [c]}: as the register form, c read from memory (4 or 8 bytes). */
    public void vfmadd213(boolean single, Xmm dst, Xmm b, Mem c) {
        buf.instructionStart();
        checkXmm(single ? "vfmadd213ss" : "vfmadd213sd", dst, b, c);
        boolean x = !c.isRipRelative() && c.index() != null && c.index().needsRex();
        boolean bb = !c.isRipRelative() && c.base().needsRex();
        buf.put1(0xC4);
        buf.put1((dst.needsRex() ? 0 : 0x80) | (x ? 0 : 0x40) | (bb ? 0 : 0x20) | 0x02);
        buf.put1((single ? 0 : 0x80) | ((~b.enc() & 15) << 3) | 0x01);
        buf.put1(0xA9);
        modrmMem(dst.enc(), c, 0);
    }

    /**
     * The SSE encoder core: [prefix] [REX] opcode ModRM [SIB] [disp]; the caller appends
     * the immediate, whose length must be known for a RIP-relative displacement.
     *
     * @param prefix  the mandatory prefix (0x66, 0xF2, 0xF3) or 0
     * @param rexW    REX.W (a 64-bit GPR operand)
     * @param opcode  0F xx or 0F 3A xx
     * @param reg     ModRM.reg register number
     * @param rmReg   ModRM.rm register number, or -1 when {@code rmMem} is given
     */
    private void sseCore(int prefix, boolean rexW, int opcode, int reg, int rmReg, Mem rmMem, int immBytes) {
        if (prefix != 0) {
            buf.put1(prefix);
        }
        int rex = (rexW ? 8 : 0) | (reg >= 8 ? 4 : 0);
        if (rmReg >= 0) {
            rex |= rmReg >= 8 ? 1 : 0;
        } else if (!rmMem.isRipRelative()) {
            rex |= rmMem.base().needsRex() ? 1 : 0;
            rex |= rmMem.index() != null && rmMem.index().needsRex() ? 2 : 0;
        }
        if (rex != 0) {
            buf.put1(0x40 | rex);
        }
        putOpcode(opcode);
        if (rmReg >= 0) {
            buf.put1(0xC0 | (reg & 7) << 3 | (rmReg & 7));
        } else {
            modrmMem(reg, rmMem, immBytes);
        }
    }

    private static void checkXmm(String op, Object... operands) {
        for (Object o : operands) {
            if (o == null) {
                throw new IllegalArgumentException(op + ": null operand in " + describe(operands));
            }
        }
    }

    // ---- FPU/SSE state ---------------------------------------------------------------------------

    /** 512-byte FXSAVE area at {@code mem} (must be 16-byte aligned at run time). */
    public void fxsave64(Mem mem) {
        buf.instructionStart();
        checkMem("fxsave64", mem);
        rm(0, 8, 0x0FAE, 0, false, mem, 0);
    }

    /** {@code stmxcsr [mem]}: the SSE control and status word (4 bytes). */
    public void stmxcsr(Mem mem) {
        buf.instructionStart();
        checkMem("stmxcsr", mem);
        rm(0, 4, 0x0FAE, 3, false, mem, 0);
    }

    /** {@code ldmxcsr [mem]}: loads the SSE control and status word (rounding mode, exception masks). */
    public void ldmxcsr(Mem mem) {
        buf.instructionStart();
        checkMem("ldmxcsr", mem);
        rm(0, 4, 0x0FAE, 2, false, mem, 0);
    }

    public void fxrstor64(Mem mem) {
        buf.instructionStart();
        checkMem("fxrstor64", mem);
        rm(0, 8, 0x0FAE, 1, false, mem, 0);
    }

    // ---- shared instruction shapes ------------------------------------------------------------------

    private void group3(String name, int digit, int size, Gpr r) {
        checkSize(name, size, S1248, r);
        emit(0, size, size == 1 ? 0xF6 : 0xF7, digit, false, r, null, size == 1, 0);
    }

    private void bitScan(String name, int prefixes, int opcode, int size, Gpr dst, Gpr src) {
        checkSize(name, size, S248, dst, src);
        rr(prefixes, size, opcode, dst, src);
    }

    private void aluImmCore(int prefixes, AluOp op, int size, Gpr rmReg, Mem rmMem, int imm) {
        String name = op.mnemonic();
        int v = normalizeImm(name, size, imm);
        if (size == 1) {
            emit(prefixes, 1, 0x80, op.digit(), false, rmReg, rmMem, true, 1);
            buf.put1(v & 0xFF);
        } else if (fits8(v)) {
            emit(prefixes, size, 0x83, op.digit(), false, rmReg, rmMem, false, 1);
            buf.put1(v & 0xFF);
        } else {
            int immBytes = immBytes(size);
            emit(prefixes, size, 0x81, op.digit(), false, rmReg, rmMem, false, immBytes);
            putImm(immBytes, v);
        }
    }

    private void branchRel8(int opcode, Label target) {
        if (buf.isBound(target)) {
            // Refuse before writing, so a caller that catches the exception finds the buffer intact.
            long rel = (long) target.offset() - (buf.offset() + 2);
            if (!fits8(rel)) {
                throw new BranchRangeException(target.id(), buf.offset() + 1, rel);
            }
        }
        buf.put1(opcode);
        int field = buf.offset();
        buf.put1(0);
        buf.useLabelRel(target, field, 1, field + 1);
    }

    private void branchRel32(int opcode, Label target) {
        putOpcode(opcode);
        int field = buf.offset();
        buf.put4(0);
        buf.useLabelRel(target, field, 4, field + 4);
    }

    /** Register-direct ModRM: {@code reg} in ModRM.reg, {@code rm} in ModRM.rm; both sized by {@code size}. */
    private void rr(int prefixes, int size, int opcode, Gpr reg, Gpr rm) {
        boolean bytes = size == 1;
        emit(prefixes, size, opcode, reg.enc(), bytes, rm, null, bytes, 0);
    }

    private void rm(int prefixes, int size, int opcode, int reg, boolean regIsByte, Mem mem, int immBytes) {
        emit(prefixes, size, opcode, reg, regIsByte, null, mem, false, immBytes);
    }

    // ---- the encoder core ---------------------------------------------------------------------------

    /**
     * Writes [F0] [66] [F3] [REX] opcode ModRM [SIB] [disp] for one instruction; the caller appends
     * the immediate, whose length ({@code immBytes}) must be known here because a RIP-relative
     * displacement is measured from the end of the whole instruction.
     *
     * @param opSize    2 adds 0x66, 8 adds REX.W; 1 and 4 add nothing (byte forms use their own opcodes)
     * @param opcode    1 to 3 opcode bytes, most significant first (e.g. 0x0FAF)
     * @param reg       ModRM.reg: a register number or an opcode-extension /digit (0..15)
     * @param regIsByte reg names an 8-bit register, so 4..7 mean spl..dil and need a REX prefix
     * @param rmReg     register operand in ModRM.rm, or null when {@code rmMem} is given
     * @param rmIsByte  rmReg is an 8-bit register (same REX rule as regIsByte)
     */
    private void emit(int prefixes, int opSize, int opcode, int reg, boolean regIsByte,
                      Gpr rmReg, Mem rmMem, boolean rmIsByte, int immBytes) {
        if ((prefixes & LOCK) != 0) {
            buf.put1(0xF0);
        }
        if (opSize == 2) {
            buf.put1(0x66);
        }
        if ((prefixes & REP) != 0) {
            buf.put1(0xF3);
        }
        int rex = 0;
        if (opSize == 8) {
            rex |= 8;
        }
        if (reg >= 8) {
            rex |= 4;
        }
        boolean forceRex = regIsByte && reg >= 4 && reg <= 7;
        if (rmReg != null) {
            if (rmReg.needsRex()) {
                rex |= 1;
            }
            forceRex |= rmIsByte && rmReg.enc() >= 4 && rmReg.enc() <= 7;
        } else if (!rmMem.isRipRelative()) {
            if (rmMem.base().needsRex()) {
                rex |= 1;
            }
            if (rmMem.index() != null && rmMem.index().needsRex()) {
                rex |= 2;
            }
        }
        if (rex != 0 || forceRex) {
            buf.put1(0x40 | rex);
        }
        putOpcode(opcode);
        if (rmReg != null) {
            buf.put1(0xC0 | (reg & 7) << 3 | (rmReg.enc() & 7));
        } else {
            modrmMem(reg, rmMem, immBytes);
        }
    }

    private void modrmMem(int reg, Mem m, int immBytes) {
        int r = (reg & 7) << 3;
        if (m.isRipRelative()) {
            buf.put1(0x05 | r); // mod 00, rm 101 = [rip + disp32] in 64-bit mode
            int field = buf.offset();
            buf.put4(0);
            // target + addend - end = target - (end - addend)
            long pcAfter = (long) field + 4 + immBytes - m.disp();
            if (pcAfter != (int) pcAfter) {
                throw new IllegalArgumentException("RIP-relative addend " + m.disp() + " at offset " + field
                        + " overflows the 32-bit displacement");
            }
            buf.useLabelRel(m.target(), field, 4, (int) pcAfter);
            return;
        }
        int base = m.base().enc() & 7;
        int disp = m.disp();
        int mod;
        if (disp == 0 && base != 5) {
            mod = 0;
        } else if (fits8(disp)) {
            mod = 1; // includes disp 0 with RBP/R13, where mod 00 would mean RIP/no-base instead
        } else {
            mod = 2;
        }
        if (m.index() == null && base != 4) {
            buf.put1(mod << 6 | r | base);
        } else {
            // rm 100 means "SIB follows"; RSP/R12 as a plain base can only be expressed this way.
            int index = m.index() == null ? 4 : m.index().enc() & 7;
            buf.put1(mod << 6 | r | 4);
            buf.put1(Integer.numberOfTrailingZeros(m.scale()) << 6 | index << 3 | base);
        }
        if (mod == 1) {
            buf.put1(disp & 0xFF);
        } else if (mod == 2) {
            buf.put4(disp);
        }
    }

    /** Opcode with the register number in its low three bits (50+r, 58+r, B8+r, 0F C8+r). */
    private void plusReg(int opSize, int opcode, Gpr r) {
        if (opSize == 2) {
            buf.put1(0x66);
        }
        int rex = (opSize == 8 ? 8 : 0) | (r.needsRex() ? 1 : 0);
        if (rex != 0) {
            buf.put1(0x40 | rex);
        }
        putOpcode(opcode + (r.enc() & 7));
    }

    /** An instruction with no operands whose size comes only from 66/REX.W (cwd/cdq/cqo). */
    private void plain(int opSize, int opcode) {
        if (opSize == 2) {
            buf.put1(0x66);
        } else if (opSize == 8) {
            buf.put1(0x48);
        }
        putOpcode(opcode);
    }

    private void putOpcode(int opcode) {
        if (opcode > 0xFFFF) {
            buf.put1(opcode >>> 16);
        }
        if (opcode > 0xFF) {
            buf.put1((opcode >>> 8) & 0xFF);
        }
        buf.put1(opcode & 0xFF);
    }

    private void putImm(int bytes, int v) {
        if (bytes == 1) {
            buf.put1(v & 0xFF);
        } else if (bytes == 2) {
            buf.put2(v & 0xFFFF);
        } else {
            buf.put4(v);
        }
    }

    // ---- validation ------------------------------------------------------------------------------

    /** Bytes of a full-width immediate for this operand size (64-bit operations take a simm32). */
    private static int immBytes(int size) {
        return size == 8 ? 4 : size;
    }

    private static boolean fits8(long v) {
        return v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
    }

    /**
     * Accepts an immediate written either signed or unsigned for 8/16-bit operations and returns
     * its signed reading, so that e.g. 0xFFFF for a 16-bit op is recognised as -1 and gets imm8.
     */
    private static int normalizeImm(String op, int size, int imm) {
        if (size == 1) {
            if (imm < Byte.MIN_VALUE || imm > 0xFF) {
                throw new IllegalArgumentException(op + ": immediate " + imm + " does not fit in 8 bits");
            }
            return (byte) imm;
        }
        if (size == 2) {
            if (imm < Short.MIN_VALUE || imm > 0xFFFF) {
                throw new IllegalArgumentException(op + ": immediate " + imm + " does not fit in 16 bits");
            }
            return (short) imm;
        }
        return imm;
    }

    private static void checkSize(String op, int size, int allowed, Object... operands) {
        for (Object o : operands) {
            if (o == null) {
                throw new IllegalArgumentException(op + ": null operand in " + describe(operands));
            }
        }
        if (size <= 0 || size > 8 || Integer.bitCount(size) != 1 || (allowed & size) == 0) {
            throw new IllegalArgumentException(op + ": operand size " + size + " not supported (allowed "
                    + sizes(allowed) + ") for operands " + describe(operands));
        }
    }

    private static void checkExtend(String op, int srcSize, int dstSize, boolean signed, Gpr dst, Object src) {
        if (dst == null || src == null) {
            throw new IllegalArgumentException(op + ": null operand (dst=" + dst + ", src=" + src + ")");
        }
        boolean ok = (srcSize == 1 && (dstSize == 2 || dstSize == 4 || dstSize == 8))
                || (srcSize == 2 && (dstSize == 4 || dstSize == 8))
                || (signed && srcSize == 4 && dstSize == 8);
        if (!ok) {
            throw new IllegalArgumentException(op + ": cannot extend from " + srcSize + " to " + dstSize
                    + " bytes (dst=" + dst + ", src=" + src + "); supported: 1->2/4/8, 2->4/8"
                    + (signed ? ", 4->8" : " (a 4-byte load or mov already zero-extends)"));
        }
    }

    private static void checkLockable(AluOp op, Mem mem, Object src) {
        if (op == AluOp.CMP) {
            throw new IllegalArgumentException("lock cmp is not a valid instruction (mem=" + mem + ", src=" + src + ")");
        }
    }

    private static void checkReg(String op, Gpr r) {
        if (r == null) {
            throw new IllegalArgumentException(op + ": register must not be null");
        }
    }

    private static void checkMem(String op, Mem m) {
        if (m == null) {
            throw new IllegalArgumentException(op + ": memory operand must not be null");
        }
    }

    private static void checkLabel(String op, Label l) {
        if (l == null) {
            throw new IllegalArgumentException(op + ": label must not be null");
        }
    }

    private static int movsxOpcode(int srcSize) {
        return srcSize == 1 ? 0x0FBE : srcSize == 2 ? 0x0FBF : 0x63;
    }

    private static String sizes(int allowed) {
        return Arrays.stream(new int[] {1, 2, 4, 8}).filter(s -> (allowed & s) != 0)
                .mapToObj(Integer::toString).collect(Collectors.joining("/"));
    }

    private static String describe(Object[] operands) {
        return Arrays.stream(operands).map(String::valueOf).collect(Collectors.joining(", ", "(", ")"));
    }
}
