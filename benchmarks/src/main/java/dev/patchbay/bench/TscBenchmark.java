/*
 * What one rdtsc costs on this machine: the floor under the profiler's timed mode, which
 * reads the TSC once per entry and once per exit. A generated loop executes 1,000 rdtsc
 * per operation (called once through Native.call); the score is per rdtsc.
 *
 *   java -jar benchmarks/target/benchmarks.jar TscBenchmark
 */
package dev.patchbay.bench;

import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Cond;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
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

import java.util.concurrent.TimeUnit;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TscBenchmark {
    static final int READS = 1000;
    private CodeMemory code;
    private long loop;

    @Setup(Level.Trial)
    public void setup() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label top = buf.newLabel();
        a.mov(8, Gpr.RCX, Gpr.RDI);
        buf.bind(top);
        a.rdtsc();
        a.aluImm(AluOp.SUB, 8, Gpr.RCX, 1);
        a.jcc(Cond.NE, top, true);
        a.ret();
        buf.finish();
        code = CodeMemory.allocate(4096, "rdtsc-loop");
        code.write(0, buf.bytes());
        loop = code.execAddress(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() { code.close(); }

    @Benchmark
    @OperationsPerInvocation(READS)
    public long rdtsc() { return Native.call(loop, READS); }
}
