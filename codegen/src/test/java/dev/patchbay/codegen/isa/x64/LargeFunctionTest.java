/*
 * Regression (stress suite, bad input: the huge-function case): lowering indexed its
 * register-hint tables by IR value number, but sized them for 64 values and grew them
 * only when it made a temporary. Blocks are lowered bottom-up, so a function with more
 * than 64 values (a 100-instruction chain, or a return or block parameter with a high
 * value number) died with ArrayIndexOutOfBoundsException instead of compiling.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.machinst.CompiledModule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LargeFunctionTest {
    static CompiledModule compile(String text) {
        return Compiler.compile(ClifParser.parse("big.clif", text).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {63, 64, 65, 100, 1000, 5000})
    void straightLineChain(int n) {
        StringBuilder sb = new StringBuilder("function %big(i64) -> i64 {\nblock0(v0: i64):\n");
        for (int i = 1; i <= n; i++) sb.append("    v").append(i).append(" = iadd_imm v").append(i - 1).append(", 1\n");
        sb.append("    return v").append(n).append("\n}\n");
        CompiledModule cm = compile(sb.toString());
        assertTrue(cm.codeSize() > n, "every instruction was emitted");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void chainOfBlocksWithParameters(int blocks) {
        StringBuilder sb = new StringBuilder("function %big(i64) -> i64 {\nblock0(v0: i64):\n    jump block1(v0)\n");
        int v = 1;
        for (int b = 1; b <= blocks; b++) {
            int p = v++;
            sb.append("block").append(b).append("(v").append(p).append(": i64):\n");
            sb.append("    v").append(v).append(" = iadd_imm v").append(p).append(", 1\n");
            int r = v++;
            sb.append(b < blocks ? "    jump block" + (b + 1) + "(v" + r + ")\n" : "    return v" + r + "\n");
        }
        sb.append("}\n");
        CompiledModule cm = compile(sb.toString());
        assertEquals(1, cm.functions.size());
    }
}
