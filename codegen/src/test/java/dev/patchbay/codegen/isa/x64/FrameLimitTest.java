/*
 * Issue 13, item 2: frame layout used int arithmetic, so two stack slots of 2147483647
 * and 2147483641 bytes wrapped the frame to 0 and put stack_store over the return
 * address. The verifier now refuses slots over 1 GiB per function (with the slot's
 * location), the backend lays frames out in 64-bit arithmetic and refuses any frame over
 * Limits.MAX_FRAME_BYTES even if the verifier is bypassed, frames over 64 KiB also check
 * that rsp - frame cannot wrap, and signatures are limited to 1000 parameters and returns
 * (the trampolines write arguments below the guest before any stack check).
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.verify.VerifierException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FrameLimitTest {
    static final String WRAP = String.join("\n",
        "function %wrap(i64) -> i64 {",
        "    ss0 = explicit_slot 2147483647",
        "    ss1 = explicit_slot 2147483641",
        "block0(v0: i64):",
        "    stack_store v0, ss1",
        "    v1 = stack_load.i64 ss1",
        "    return v1",
        "}");

    static List<String> verifierErrors(String clif) {
        VerifierException e = assertThrows(VerifierException.class,
            () -> Compiler.compile(ClifParser.parse("f.clif", clif).functions(), CompileOptions.defaults()));
        return Diagnostics.format("f.clif", e);
    }

    static String slots(long... sizes) {
        StringBuilder sb = new StringBuilder("function %f(i64) -> i64 {\n");
        for (int i = 0; i < sizes.length; i++) sb.append("    ss").append(i).append(" = explicit_slot ").append(sizes[i]).append('\n');
        sb.append("block0(v0: i64):\n    stack_store v0, ss0\n    v1 = stack_load.i64 ss0\n    return v1\n}\n");
        return sb.toString();
    }

    @Test
    void wrappingStackSlotsAreAVerifierErrorAtTheSlot() {
        assertEquals(List.of("f.clif:2:5: error: function %wrap: the stack slots up to ss0 need 2147483647 bytes, over the limit of "
            + "1073741824 bytes (1 GiB) per function"), verifierErrors(WRAP));
    }

    @Test
    void slotsTogetherOverOneGibAreRefusedAndOneGibIsAccepted() {
        assertEquals(List.of("f.clif:3:5: error: function %f: the stack slots up to ss1 need 1073741832 bytes, over the limit of "
            + "1073741824 bytes (1 GiB) per function"), verifierErrors(slots(1L << 29, (1L << 29) + 8)));
        assertEquals(1, verifierErrors(slots(8, (1L << 30) - 7)).size());
        // Alignment padding counts: 8 bytes, padded to 16, then 2^30 - 15 bytes is one too many.
        String padded = slots(8, (1L << 30) - 15).replace("explicit_slot " + ((1L << 30) - 15), "explicit_slot " + ((1L << 30) - 15) + ", align = 16");
        assertEquals(1, verifierErrors(padded).size(), padded);
        Compiler.compile(ClifParser.parse("f.clif", slots(8, (1L << 30) - 15)).functions(), CompileOptions.defaults());
        CompiledModule cm = Compiler.compile(ClifParser.parse("f.clif", slots(1L << 30)).functions(), CompileOptions.defaults());
        FunctionInfo f = cm.function("f");
        assertTrue(f.frameSize >= 1L << 30 && f.frameSize < (1L << 30) + 64, "frame " + f.frameSize);
    }

    @Test
    void theBackendRefusesAWrappingFrameEvenPastTheVerifier() {
        List<Function> fns = ClifParser.parse("f.clif", WRAP).functions();
        CompileException e = assertThrows(CompileException.class, () -> X64Backend.compile(fns, CompileOptions.defaults()));
        assertTrue(e.getMessage().startsWith("function %wrap: its frame needs more than 1140850688 bytes"), e.getMessage());
    }

    @Test
    void framesOverSixtyFourKibAlsoCheckThatRspMinusTheFrameCannotWrap() {
        for (long size : new long[] {60_000, 70_000, 1L << 30}) {
            CompiledModule cm = Compiler.compile(ClifParser.parse("f.clif", slots(size)).functions(), CompileOptions.defaults());
            FunctionInfo f = cm.function("f");
            byte[] code = cm.code();
            boolean wrapCheck = false;
            for (int i = f.start; i + 3 <= f.end; i++) {
                // cmp rsp, imm32 (48 81 fc)
                if ((code[i] & 0xFF) == 0x48 && (code[i + 1] & 0xFF) == 0x81 && (code[i + 2] & 0xFF) == 0xFC) wrapCheck = true;
            }
            assertEquals(size > Emit.BIG_FRAME, wrapCheck, "frame of " + f.frameSize + " bytes");
        }
    }

    static String params(int n, String where) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < n; i++) p.append(i == 0 ? "" : ", ").append("i64");
        if (where.equals("function")) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append("v").append(i).append(": i64");
            return "function %f(" + p + ") -> i64 {\nblock0(" + b + "):\n    return v0\n}\n";
        }
        return "function %f(i64) -> i64 {\n    sig0 = (" + p + ") -> i64\n    fn0 = %imp(" + p + ") -> i64\nblock0(v0: i64):\n    return v0\n}\n";
    }

    @Test
    void signaturesOverAThousandParametersAreRefused() {
        assertEquals(List.of("f.clif:1:1: error: function %f: the signature has 1001 parameters, over the limit of 1000"),
            verifierErrors(params(1001, "function")));
        List<String> decl = verifierErrors(params(1001, "declarations"));
        assertEquals(List.of("f.clif:1:1: error: function %f: sig0 has 1001 parameters, over the limit of 1000",
            "f.clif:1:1: error: function %f: sig1 has 1001 parameters, over the limit of 1000"), decl);
        Compiler.compile(ClifParser.parse("f.clif", params(1000, "function")).functions(), CompileOptions.defaults());
    }
}
