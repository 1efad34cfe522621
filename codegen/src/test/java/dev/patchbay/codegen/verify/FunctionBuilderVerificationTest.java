/*
 * FunctionBuilder.finish() runs the verifier, so IR generated in Java gets the same
 * checks as CLIF text. Builds the recursive Fibonacci function the way a frontend would,
 * and shows that a builder mistake is reported (without source locations, which Java-built
 * IR does not have) instead of reaching the backend.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionBuilderVerificationTest {
    @Test
    void recursiveFibonacci() {
        Signature sig = Signature.of(List.of(Type.I32), List.of(Type.I32));
        FunctionBuilder b = new FunctionBuilder("fib", sig);
        int fib = b.importFunction("fib", sig, true, false);
        int entry = b.createEntryBlock();
        int n = b.blockParams(entry)[0];
        int recurse = b.createBlock();
        int base = b.createBlock();
        int small = b.icmpImm(IntCC.ULE, n, 2);
        b.brif(small, base, new int[0], recurse, new int[0]);

        b.switchToBlock(recurse);
        int n1 = b.binaryImm(Opcode.IADD_IMM, n, -1);
        int f1 = b.call(fib, n1)[0];
        int n2 = b.binaryImm(Opcode.IADD_IMM, n, -2);
        int f2 = b.call(fib, n2)[0];
        b.ret(b.binary(Opcode.IADD, f1, f2));

        b.switchToBlock(base);
        b.ret(b.iconst(Type.I32, 1));

        Function f = b.finish();
        assertSame(b.function(), f);
        Function reparsed = ClifParser.parse("fib.clif", FunctionPrinter.print(f)).functions().get(0);
        assertEquals(List.of(), Verifier.verify(reparsed));
        assertEquals(FunctionPrinter.print(f), FunctionPrinter.print(reparsed));
    }

    @Test
    void finishRejectsInvalidIr() {
        FunctionBuilder b = new FunctionBuilder("bad", Signature.of(List.of(Type.I64), List.of(Type.I32)));
        int entry = b.createEntryBlock();
        int x = b.blockParams(entry)[0];
        int y = b.iconst(Type.I32, 7);
        b.binary(Opcode.IADD, x, y);
        VerifierException e = assertThrows(VerifierException.class, b::finish);
        List<String> lines = Diagnostics.format("built.clif", e);
        assertEquals(List.of(
            "built.clif: error: function %bad, block0, inst \"v2 = iadd v0, v1\": arg 1 has type i32, expected i64",
            "built.clif: error: function %bad, block0: block does not end with a terminator; its last instruction is "
                + "\"v2 = iadd v0, v1\""), lines);
        assertTrue(e.errors().stream().noneMatch(err -> err.loc().isKnown()));
    }

    @Test
    void undefinedValueFromTheBuilder() {
        FunctionBuilder b = new FunctionBuilder("u", Signature.of(List.of(), List.of(Type.I32)));
        b.createEntryBlock();
        int orphan = b.function().newValue(Type.I32, null);
        b.ret(orphan);
        VerifierException e = assertThrows(VerifierException.class, b::finish);
        assertEquals("function %u, block0, inst \"return v0\": undefined value v0", e.errors().get(0).message());
    }
}
