/*
 * Compile speed, in two parts.
 *
 * compileFile: parse + verify + instrument + lower + allocate + emit a whole CLIF file. The
 * inputs are two of Cranelift's run-test files (from ../shared, located by walking up from
 * the working directory, or -Dpatchbay.runtests=DIR).
 *
 * compileGenerated: verify + instrument + lower + allocate + emit one generated function of
 * `insts` IR instructions (built once, outside the measurement; parsing is not included).
 * Both shapes are a chain of blocks of ten instructions that pass a value along, so that
 * every block dominates the ones after it:
 *   near     operands come from the last eight values defined, a few blocks back at most
 *   farback  a quarter of the operands instead name a value defined 1,000 to 3,000 blocks
 *            earlier, so tens of thousands of values stay live across thousands of blocks
 *            (what made liveness quadratic, issue 15)
 * The target (issue 15) is under 0.5 s for 200k instructions of either shape.
 *
 * JMH reports the time per compilation; main() prints sizes.
 *
 *   java -jar benchmarks/target/benchmarks.jar CompileBenchmark
 *   java -jar benchmarks/target/benchmarks.jar 'CompileBenchmark.compileGenerated' -p insts=200000
 */
package dev.patchbay.bench;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.CompiledModule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1)
public class CompileBenchmark {
    /** A CLIF file from Cranelift's run tests, with or without every site kind. */
    @State(Scope.Benchmark)
    public static class FileInput {
        @Param({"fibonacci.clif", "arithmetic.clif"})
        public String file;

        @Param({"none", "all"})
        public String sites;

        String text;
        CompileOptions opts;

        @Setup
        public void setup() throws IOException {
            text = Files.readString(Inputs.runtests().resolve(file));
            opts = options(sites);
        }
    }

    /** One generated function (see the top of the file). */
    @State(Scope.Benchmark)
    public static class GeneratedInput {
        @Param({"10000", "50000", "200000"})
        public int insts;

        @Param({"near", "farback"})
        public String shape;

        List<Function> functions;
        final CompileOptions opts = CompileOptions.defaults();

        @Setup
        public void setup() {
            functions = List.of(generate(insts, shape.equals("farback")));
        }
    }

    @Benchmark
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 5, time = 1)
    public CompiledModule compileFile(FileInput in) {
        return Compiler.compile(ClifParser.parse(in.file, in.text).functions(), in.opts);
    }

    @Benchmark
    @Warmup(iterations = 5, time = 2)
    @Measurement(iterations = 5, time = 2)
    public CompiledModule compileGenerated(GeneratedInput in) {
        return Compiler.compile(in.functions, in.opts);
    }

    static CompileOptions options(String sites) {
        InstrumentationPlan plan = sites.equals("all") ? InstrumentationPlan.all() : InstrumentationPlan.NONE;
        return CompileOptions.builder().plan(plan).build();
    }

    private static final Opcode[] OPS = {Opcode.IADD, Opcode.ISUB, Opcode.BXOR, Opcode.IADD, Opcode.BOR, Opcode.IMUL};
    static final int BLOCK_INSTS = 10, VALUES_PER_BLOCK = 8;

    /**
     * A function of about `insts` IR instructions: an entry block and a chain of blocks of ten
     * (eight binary operations, a compare, a brif to the next block passing one of two values).
     * Deterministic: the same arguments give the same function.
     */
    public static Function generate(int insts, boolean farBack) {
        int blocks = Math.max(1, (insts - 1) / BLOCK_INSTS);
        SplittableRandom rnd = new SplittableRandom(15);
        FunctionBuilder b = new FunctionBuilder(farBack ? "farback" : "near", Signature.of(List.of(Type.I64), List.of(Type.I64)));
        int entry = b.createEntryBlock();
        int seed = b.blockParams(entry)[0];
        int[][] defined = new int[blocks + 1][];
        int[] recent = new int[VALUES_PER_BLOCK];
        java.util.Arrays.fill(recent, seed);
        int nrecent = 0;
        int next = b.createBlock();
        b.appendBlockParam(next, Type.I64);
        b.jump(next, seed);
        for (int k = 1; k <= blocks; k++) {
            int block = next;
            b.switchToBlock(block);
            int cur = b.blockParams(block)[0];
            defined[k] = new int[VALUES_PER_BLOCK];
            for (int i = 0; i < VALUES_PER_BLOCK; i++) {
                int other;
                if (farBack && k > 1 && rnd.nextInt(2) == 0) {
                    int back = 1_000 + rnd.nextInt(2_001);
                    int from = Math.max(1, k - back);
                    int[] there = defined[from == k ? k - 1 : from];
                    other = there[rnd.nextInt(there.length)];
                } else {
                    other = recent[rnd.nextInt(recent.length)];
                }
                cur = b.binary(OPS[rnd.nextInt(OPS.length)], cur, other);
                defined[k][i] = cur;
                recent[nrecent++ % recent.length] = cur;
            }
            if (k == blocks) {
                b.ret(cur);
                break;
            }
            int c = b.icmpImm(IntCC.ULT, cur, 1_000);
            next = b.createBlock();
            b.appendBlockParam(next, Type.I64);
            b.brif(c, next, new int[] {cur}, next, new int[] {defined[k][3]});
        }
        return b.finish();
    }

    /** Counts the IR instructions compiled, for converting time per compile into instructions per second. */
    public static int instructions(String text) {
        return ClifParser.parse("x", text).functions().stream().mapToInt(f -> f.instCount()).sum();
    }

    /** Prints instructions per input and code size, to go with the JMH times. */
    public static void main(String[] args) throws IOException {
        for (String f : new String[] {"fibonacci.clif", "arithmetic.clif"}) {
            String t = Files.readString(Inputs.runtests().resolve(f));
            for (String s : new String[] {"none", "all"}) {
                CompiledModule m = Compiler.compile(ClifParser.parse(f, t).functions(), options(s));
                int fnBytes = m.functions.stream().mapToInt(x -> x.size()).sum();
                System.out.printf("%-16s sites=%-4s %4d functions %5d IR instructions  %6d bytes of function code  %6d bytes module  %d patch sites%n",
                    f, s, m.functions.size(), instructions(t), fnBytes, m.codeSize(), m.patchSites.size());
            }
        }
        for (int n : new int[] {10_000, 50_000, 200_000}) {
            for (boolean far : new boolean[] {false, true}) {
                Function fn = generate(n, far);
                long t0 = System.nanoTime();
                CompiledModule m = Compiler.compile(List.of(fn), CompileOptions.defaults());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("generated %-8s %7d IR instructions %6d blocks  %8d bytes of code  first compile %d ms%n",
                    far ? "farback" : "near", fn.instCount(), fn.layout.size(), m.codeSize(), ms);
            }
        }
    }
}
