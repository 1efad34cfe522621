/*
 * The child JVM of the huge-function case (BadInputTest): builds a 100k-instruction
 * function in one of three shapes, parses and compiles it under the heap limit the
 * parent sets (-Xmx), runs it and checks its closed form. Prints "RESULT key=value".
 *   chain     one block, each instruction feeding the next
 *   blocks    10,000 blocks of ten instructions, each with a parameter and a branch
 *   pressure  groups of 1,000 values live at once (spills), then summed
 * Arguments: shapes (comma-separated), instruction count. Results are prefixed "shape.".
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

public final class HugeMain {
    /** The function text and, for x, the value it returns. */
    static final class Shape {
        final String text;
        final java.util.function.LongUnaryOperator expected;

        Shape(String text, java.util.function.LongUnaryOperator expected) {
            this.text = text;
            this.expected = expected;
        }
    }

    static Shape shape(String name, int n) {
        StringBuilder sb = new StringBuilder("function %big(i64) -> i64 {\nblock0(v0: i64):\n");
        switch (name) {
            case "chain": {
                long add = 0;
                for (int i = 1; i <= n; i++) {
                    sb.append("    v").append(i).append(" = iadd_imm v").append(i - 1).append(", ").append(i % 7 + 1).append('\n');
                    add += i % 7 + 1;
                }
                sb.append("    return v").append(n).append("\n}\n");
                long total = add;
                return new Shape(sb.toString(), x -> x + total);
            }
            case "blocks": {
                int blocks = n / 10, v = 1;
                sb.append("    jump block1(v0)\n");
                for (int b = 1; b <= blocks; b++) {
                    int cur = v++;
                    sb.append("block").append(b).append("(v").append(cur).append(": i64):\n");
                    for (int k = 0; k < 8; k++) {
                        sb.append("    v").append(v).append(" = iadd_imm v").append(cur).append(", 1\n");
                        cur = v++;
                    }
                    int c = v++;
                    sb.append("    v").append(c).append(" = icmp_imm ult v").append(cur).append(", 0\n");
                    if (b < blocks) {
                        sb.append("    brif v").append(c).append(", block").append(b + 1).append("(v").append(cur).append("), block").append(b + 1)
                            .append("(v").append(cur).append(")\n");
                    } else {
                        sb.append("    return v").append(cur).append('\n');
                    }
                }
                sb.append("}\n");
                return new Shape(sb.toString(), x -> x + 8L * blocks);
            }
            case "pressure": {
                int v = 1, acc = 0, groups = (n + 1998) / 1999; // 1,999 instructions a group
                for (int g = 0; g < groups; g++) {
                    int first = v;
                    for (int k = 0; k < 1000; k++) {
                        sb.append("    v").append(v).append(" = iadd_imm v").append(acc).append(", ").append(k).append('\n');
                        v++;
                    }
                    int s = first;
                    for (int k = 1; k < 1000; k++) {
                        sb.append("    v").append(v).append(" = iadd v").append(s).append(", v").append(first + k).append('\n');
                        s = v++;
                    }
                    acc = s;
                }
                sb.append("    return v").append(acc).append("\n}\n");
                return new Shape(sb.toString(), x -> {
                    long a = x;
                    for (int g = 0; g < groups; g++) a = 1000 * a + 499_500;
                    return a;
                });
            }
            default:
                throw new IllegalArgumentException(name);
        }
    }

    static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) peak += p.getPeakUsage().getUsed();
        }
        return peak;
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        for (String name : args[0].split(",")) one(name, n);
        System.out.println("RESULT done=1");
    }

    static void one(String name, int n) throws Exception {
        Shape s = shape(name, n);
        System.out.println("RESULT " + name + ".text-bytes=" + s.text.length());
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
        long t0 = System.nanoTime();
        ClifFile f = ClifParser.parse("big.clif", s.text);
        int insts = 0;
        for (dev.patchbay.codegen.ir.Block b : f.functions().get(0).layout) insts += b.insts.size();
        System.out.println("RESULT " + name + ".instructions=" + insts);
        long t1 = System.nanoTime();
        CompiledModule cm = Compiler.compile(f.functions(), CompileOptions.builder().plan(InstrumentationPlan.all()).build());
        long t2 = System.nanoTime();
        System.out.println("RESULT " + name + ".parse-ms=" + (t1 - t0) / 1_000_000);
        System.out.println("RESULT " + name + ".compile-ms=" + (t2 - t1) / 1_000_000);
        System.out.println("RESULT " + name + ".code-bytes=" + cm.codeSize());
        System.out.println("RESULT " + name + ".heap-peak-mb=" + heapPeak() / (1 << 20));
        System.out.println("RESULT " + name + ".max-heap-mb=" + Runtime.getRuntime().maxMemory() / (1 << 20));
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(cm));
            long got = inst.func("big").call(5)[0], want = s.expected.applyAsLong(5);
            System.out.println("RESULT " + name + ".result=" + got);
            System.out.println("RESULT " + name + ".expected=" + want);
        }
    }
}
