package dev.patchbay.codegen.opt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteFillTest {
    /** Clears ss0, fills ss0[START + 2, LIMIT + 2) with FILL, then returns a weighted sum of every byte of the slot. */
    static String program(int slot, String start, int limit, String fill, String extra) {
        return """
            function %f(i64) -> i64 {
                ss0 = explicit_slot SLOT
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                v2 = iconst.i64 0
                jump block3(v2)
            block3(v30: i64):
                v31 = iadd v1, v30
                v32 = iconst.i32 0
                istore8 v32, v31
                v33 = iadd_imm v30, 1
                v34 = icmp_imm ult v33, SLOT
                brif v34, block3(v33), block4
            block4:
                v3 = START
                jump block1(v3)
            block1(v4: i64):
                v5 = iadd v1, v4
                v6 = FILL
                istore8 v6, v5+2EXTRA
                v7 = iadd_imm v4, 1
                v8 = icmp_imm ult v7, LIMIT
                brif v8, block1(v7), block2(v7)
            block2(v9: i64):
                v10 = iconst.i64 0
                jump block5(v10, v9)
            block5(v11: i64, v12: i64):
                v13 = iadd v1, v11
                v14 = uload8.i64 v13
                v15 = imul v14, v11
                v16 = iadd v12, v15
                v17 = iadd_imm v11, 1
                v18 = icmp_imm ult v17, SLOT
                brif v18, block5(v17, v16), block6(v16)
            block6(v19: i64):
                return v19
            }
            """.replace("SLOT", Integer.toString(slot)).replace("START", start).replace("LIMIT", Integer.toString(limit))
            .replace("FILL", fill).replace("EXTRA", extra);
    }

    private static int widen(String clif) {
        List<Function> before = ClifParser.parse("t.clif", clif).functions();
        List<Function> after = ClifParser.parse("t.clif", clif).functions();
        int n = ByteFill.apply(after.get(0));
        Verifier.verifyOrThrow(after.get(0));
        assertArrayEquals(new Interpreter(before).call("f", 3), new Interpreter(after).call("f", 3),
            "the same bytes, after\n" + FunctionPrinter.print(after.get(0)));
        return n;
    }

    @Test
    void aByteFillOfAStackSlotStoresEightBytesAtATimeAndWritesTheSameBytes() {
        // The slot's own clearing loop (ss0 from 0 to its size) widens too.
        assertEquals(2, widen(program(64, "iconst.i64 8", 48, "iconst.i32 0x1a7", "")));
        String clif = program(64, "iconst.i64 0", 56, "iconst.i32 -1", "");
        Function f = ClifParser.parse("t.clif", clif).functions().get(0);
        ByteFill.apply(f);
        String text = FunctionPrinter.print(f);
        assertEquals(2, text.split("store ", -1).length - 1, text);
        assertEquals(2, text.split("iadd_imm v\\d+, 8", -1).length - 1, text);
    }

    @Test
    void loopsItCannotProveAreLeftAlone() {
        // The fill's end is not a multiple of 8; it does not start on one; something else
        // happens in the loop.
        assertEquals(1, widen(program(64, "iconst.i64 0", 45, "iconst.i32 1", "")));
        assertEquals(1, widen(program(64, "iconst.i64 4", 48, "iconst.i32 1", "")));
        assertEquals(1, widen(program(64, "iconst.i64 0", 48, "iconst.i32 1", "\n    v40 = uload8.i64 v5")));
        // It would overrun the slot (it ends at 64 + 2, past the 64-byte slot); that program
        // traps as written, so it is checked without running it.
        assertEquals(1, ByteFill.apply(ClifParser.parse("t.clif", program(64, "iconst.i64 0", 64, "iconst.i32 1", "")).functions().get(0)));
        // The start is not a constant.
        assertEquals(1, widen(program(64, "band_imm v0, 8", 48, "iconst.i32 1", "")));
        // The fill is not a constant.
        assertEquals(1, widen(program(64, "iconst.i64 0", 48, "ireduce.i32 v0", "")));
    }
}
