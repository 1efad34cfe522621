/*
 * Regression (stress suite, bad input: generated programs): lowering irsub_imm negates
 * its operand into a temporary and hands that temporary to the immediate-add helper,
 * which asked the IR whether the operand was a constant. A temporary is not an IR value,
 * so whenever its number reached the capacity of the IR's value table, compilation died
 * with ArrayIndexOutOfBoundsException in Function.valueDefInst.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import org.junit.jupiter.api.Test;

class TemporaryOperandTest {
    @Test
    void irsubImmCompilesWhateverTheNumberOfValues() {
        for (int n = 1; n <= 300; n++) {
            StringBuilder sb = new StringBuilder("function %f(i64) -> i64 {\nblock0(v0: i64):\n");
            for (int i = 1; i < n; i++) sb.append("    v").append(i).append(" = iadd_imm v").append(i - 1).append(", 1\n");
            sb.append("    v").append(n).append(" = irsub_imm v").append(n - 1).append(", 5\n");
            sb.append("    return v").append(n).append("\n}\n");
            Compiler.compile(ClifParser.parse("f.clif", sb.toString()).functions(), CompileOptions.defaults());
        }
    }
}
