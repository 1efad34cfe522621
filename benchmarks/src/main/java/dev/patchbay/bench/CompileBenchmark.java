/*
 * Compile speed: parse + verify + instrument + lower + allocate + emit a whole CLIF file,
 * per IR instruction. The inputs are two of Cranelift's run-test files (from ../shared,
 * located by walking up from the working directory, or -Dpatchbay.runtests=DIR).
 * JMH reports the time per compilation; CompileSpeed prints it as instructions/second.
 *
 *   java -jar benchmarks/target/benchmarks.jar CompileBenchmark
 */
package dev.patchbay.bench;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CompileBenchmark {
    @Param({"fibonacci.clif", "arithmetic.clif"})
    public String file;

    @Param({"none", "all"})
    public String sites;

    private String text;

    @Setup
    public void setup() throws IOException {
        text = Files.readString(Inputs.runtests().resolve(file));
    }

    @Benchmark
    public CompiledModule compile() {
        InstrumentationPlan plan = sites.equals("all") ? InstrumentationPlan.all() : InstrumentationPlan.NONE;
        return Compiler.compile(ClifParser.parse(file, text).functions(), CompileOptions.builder().plan(plan).build());
    }

    /** Counts the IR instructions compiled, for converting time per compile into instructions per second. */
    public static int instructions(String text) {
        return ClifParser.parse("x", text).functions().stream().mapToInt(f -> f.instCount()).sum();
    }

    /** Prints instructions per file and code size, to go with the JMH times. */
    public static void main(String[] args) throws IOException {
        for (String f : new String[] {"fibonacci.clif", "arithmetic.clif"}) {
            String t = Files.readString(Inputs.runtests().resolve(f));
            for (String s : new String[] {"none", "all"}) {
                InstrumentationPlan plan = s.equals("all") ? InstrumentationPlan.all() : InstrumentationPlan.NONE;
                CompiledModule m = Compiler.compile(ClifParser.parse(f, t).functions(), CompileOptions.builder().plan(plan).build());
                int fnBytes = m.functions.stream().mapToInt(x -> x.size()).sum();
                System.out.printf("%-16s sites=%-4s %4d functions %5d IR instructions  %6d bytes of function code  %6d bytes module  %d patch sites%n",
                    f, s, m.functions.size(), instructions(t), fnBytes, m.codeSize(), m.patchSites.size());
            }
        }
    }
}
