/*
 * Regression (stress suite, bad input: the 100k-instruction function in 10,000 blocks):
 * liveness kept four BitSets per block indexed by vreg number, so memory grew with
 * blocks x vregs. A 100,000-instruction function of 10,000 small blocks needed several
 * hundred MiB and died with OutOfMemoryError in a 256 MiB heap. Liveness must cost about
 * as much as the code it describes.
 */
package dev.patchbay.codegen.regalloc;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

class LivenessScalingTest {
    /** `blocks` blocks of ten instructions, each passing one value to the next. */
    static String chainOfBlocks(int blocks) {
        StringBuilder sb = new StringBuilder("function %big(i64) -> i64 {\nblock0(v0: i64):\n    jump block1(v0)\n");
        int v = 1;
        for (int b = 1; b <= blocks; b++) {
            int cur = v++;
            sb.append("block").append(b).append("(v").append(cur).append(": i64):\n");
            for (int k = 0; k < 8; k++) {
                sb.append("    v").append(v).append(" = iadd_imm v").append(cur).append(", 1\n");
                cur = v++;
            }
            int c = v++;
            sb.append("    v").append(c).append(" = icmp_imm ult v").append(cur).append(", 0\n");
            sb.append(b < blocks ? "    brif v" + c + ", block" + (b + 1) + "(v" + cur + "), block" + (b + 1) + "(v" + cur + ")\n"
                : "    return v" + cur + "\n");
        }
        return sb.append("}\n").toString();
    }

    static long allocatedCompiling(String text) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var fns = ClifParser.parse("big.clif", text).functions();
        long before = mx.getCurrentThreadAllocatedBytes();
        Compiler.compile(fns, CompileOptions.defaults());
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void compilingManyBlocksAllocatesLinearly() {
        allocatedCompiling(chainOfBlocks(500)); // warm up
        long small = allocatedCompiling(chainOfBlocks(2_500));
        long large = allocatedCompiling(chainOfBlocks(10_000));
        // Four times the code may cost a bit more than four times the memory, not sixteen.
        assertTrue(large < 6 * small, "compiling 10,000 blocks allocated " + large / (1 << 20) + " MiB, 2,500 blocks "
            + small / (1 << 20) + " MiB: memory grows faster than the code");
    }
}
