/*
 * The costs of crossing between host and guest (issue 3):
 *   hostToGuest      Func.call of an empty guest function (entry trampoline, vmctx setup,
 *                    one jffi downcall, result check)
 *   guestToHost      one guest → host hostcall round trip: a guest loop makes 1,000
 *                    hostcalls to an empty Java hostcall; the score is per hostcall
 *   storeCreate64K   new Store + instantiate a 64 KiB module + close
 *
 *   java -jar benchmarks/target/benchmarks.jar CallBenchmark
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.CompiledModule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m"})
public class CallBenchmark {
    static final int HOSTCALLS_PER_OP = 1000;

    private final Engine engine = new Engine();
    private Store store;
    private Func empty;
    private Func loop;
    private Module big;

    static final String CLIF = String.join("\n",
        "function %empty() {",
        "block0:",
        "    return",
        "}",
        "function %loop(i64) -> i64 {",
        "    fn0 = %host_nop()",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    call fn0()",
        "    v2 = iadd_imm v1, -1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}");

    @Setup(Level.Trial)
    public void setup() {
        CompiledModule cm = Compiler.compile(ClifParser.parse("call.clif", CLIF).functions(), CompileOptions.defaults());
        store = new Store(engine);
        Instance inst = new Linker().define("host_nop", (c, a) -> 0).instantiate(store, engine.load(cm));
        empty = inst.func("empty");
        loop = inst.func("loop");
        big = engine.load(module64k());
        if (big.compiled().codeSize() < 64 * 1024) throw new IllegalStateException("module is only " + big.compiled().codeSize() + " bytes");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    /** A module of at least 64 KiB: many small arithmetic functions. */
    static CompiledModule module64k() {
        List<Function> fns = new ArrayList<>();
        for (int i = 0; i < 480; i++) {
            FunctionBuilder b = new FunctionBuilder("f" + i, Signature.of(List.of(Type.I64, Type.I64), List.of(Type.I64)));
            int e = b.createEntryBlock();
            int[] p = b.blockParams(e);
            int x = p[0], y = p[1];
            for (int k = 0; k < 12; k++) {
                int t = b.binary(Opcode.IMUL, x, y);
                x = b.binaryImm(Opcode.IADD_IMM, t, k + i);
                y = b.binary(Opcode.BXOR, y, x);
            }
            b.ret(b.binary(Opcode.IADD, x, y));
            fns.add(b.finish());
        }
        return Compiler.compile(fns, CompileOptions.defaults());
    }

    @Benchmark
    public long hostToGuest() {
        return empty.call().length;
    }

    @Benchmark
    @OperationsPerInvocation(HOSTCALLS_PER_OP)
    public long guestToHost() {
        return loop.call(HOSTCALLS_PER_OP)[0];
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int storeCreate64K() {
        try (Store s = new Store(engine)) {
            return s.instantiate(big).hashCode();
        }
    }
}
