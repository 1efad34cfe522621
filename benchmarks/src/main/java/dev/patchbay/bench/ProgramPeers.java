/*
 * One export of a real program (a WASI command built by clang, such as the demo's
 * examples/wasm/demo.wasm) timed in Patchbay, Wasmtime 7 and Chicory 1.7.5 side by side,
 * as `patchbay demo` shows it. PeersSuite races the peers on small kernels without imports;
 * this races them on a whole C program, libc and all.
 *
 * The program imports WASI. Wasmtime links its own WASI implementation, Patchbay its
 * wasi module; Chicory gets a host function per import that throws if called, which is
 * honest only because the timed export calls no import (a call would fail the run, not
 * skew it). Each runtime's instance is created once, warmed up with the same number of
 * calls, then every runtime runs once per round in an order rotating from round to round;
 * ratios are taken within a round (paired), and every result is checked against the first
 * runtime's.
 */
package dev.patchbay.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import io.github.kawamuray.wasmtime.Config;
import io.github.kawamuray.wasmtime.WasmFunctions;
import io.github.kawamuray.wasmtime.WasmValType;
import io.github.kawamuray.wasmtime.wasi.WasiCtx;
import io.github.kawamuray.wasmtime.wasi.WasiCtxBuilder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/** A real program's export in Patchbay, Wasmtime and Chicory, interleaved. */
public final class ProgramPeers {
    private ProgramPeers() {}

    /** A runtime with the program loaded: calls the export with one i32 argument, returning its i64. */
    private interface Loaded extends LongUnaryOperator, AutoCloseable {
        @Override void close();
    }

    private record Column(String name, String description, Loaded loaded) {}

    /**
     * Races the export.
     *
     * @param wasm the program, a WASI command
     * @param export an export of type (i32) -> i64 that calls no import
     * @param arg its argument
     * @param warmups calls per runtime before timing
     * @param rounds timed rounds
     * @param progress where loading progress goes
     * @return per runtime: median ns and the paired ratio to Wasmtime (median and quartiles),
     *     plus Patchbay's idle-site ratio to itself without sites and Wasmtime's epoch
     *     ratio to itself without epochs
     */
    public static Map<String, Object> run(byte[] wasm, String export, int arg, int warmups, int rounds, PrintStream progress) {
        List<Column> cols = new ArrayList<>();
        try {
            progress.println("peers: loading into Wasmtime");
            cols.add(new Column("wasmtime", "Wasmtime 7 (Cranelift), no interruption", wasmtime(wasm, export, false)));
            cols.add(new Column("wasmtime-epoch", "Wasmtime 7, epochInterruption(true), deadline never reached", wasmtime(wasm, export, true)));
            progress.println("peers: loading into Patchbay");
            cols.add(new Column("patchbay-none", "Patchbay, no sites", patchbay(wasm, export, false)));
            cols.add(new Column("patchbay", "Patchbay, fused epoch sites, idle", patchbay(wasm, export, true)));
            progress.println("peers: compiling for Chicory");
            cols.add(new Column("chicory", "Chicory 1.7.5, compiled to JVM bytecode", chicory(wasm, export)));
            long expect = cols.get(0).loaded.applyAsLong(arg);
            for (int w = 0; w < warmups; w++) for (Column c : cols) check(c, c.loaded.applyAsLong(arg), expect);
            long[][] ns = new long[cols.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < cols.size(); i++) {
                    int idx = (i + r) % cols.size();
                    long t0 = System.nanoTime();
                    long got = cols.get(idx).loaded.applyAsLong(arg);
                    ns[idx][r] = System.nanoTime() - t0;
                    check(cols.get(idx), got, expect);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("export", export + "(" + arg + ")");
            out.put("result", expect);
            out.put("rounds", rounds);
            out.put("warmups", warmups);
            Map<String, Object> per = new LinkedHashMap<>();
            for (int i = 0; i < cols.size(); i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("description", cols.get(i).description);
                m.put("median_ns", new Stats(ns[i]).median());
                double[] ratio = EpochSuite.pairedRatios(ns[i], ns[0]);
                m.put("over_wasmtime", EpochSuite.quantile(ratio, 0.5));
                m.put("p25", EpochSuite.quantile(ratio, 0.25));
                m.put("p75", EpochSuite.quantile(ratio, 0.75));
                per.put(cols.get(i).name, m);
            }
            out.put("runtimes", per);
            out.put("patchbay_idle_sites", EpochSuite.quantile(EpochSuite.pairedRatios(ns[3], ns[2]), 0.5));
            out.put("wasmtime_epochs", EpochSuite.quantile(EpochSuite.pairedRatios(ns[1], ns[0]), 0.5));
            return out;
        } finally {
            for (Column c : cols) c.loaded.close();
        }
    }

    private static void check(Column c, long got, long expect) {
        if (got != expect) {
            throw new IllegalStateException(c.name + " returned " + Long.toHexString(got) + ", the others " + Long.toHexString(expect));
        }
    }

    private static Loaded wasmtime(byte[] wasm, String export, boolean epoch) {
        Config config = new Config();
        if (epoch) config.epochInterruption(true);
        io.github.kawamuray.wasmtime.Engine engine = new io.github.kawamuray.wasmtime.Engine(config);
        WasiCtx wasi = new WasiCtxBuilder().build();
        io.github.kawamuray.wasmtime.Store<Void> store = new io.github.kawamuray.wasmtime.Store<>(null, engine, wasi);
        if (epoch) store.setEpochDeadline(Long.MAX_VALUE / 4); // relative to an epoch nothing increments
        io.github.kawamuray.wasmtime.Linker linker = new io.github.kawamuray.wasmtime.Linker(engine);
        io.github.kawamuray.wasmtime.Module module = new io.github.kawamuray.wasmtime.Module(engine, wasm);
        WasiCtx.addToLinker(linker);
        linker.module(store, "", module);
        io.github.kawamuray.wasmtime.Func f = linker.get(store, "", export).orElseThrow(() -> new IllegalStateException("no export " + export)).func();
        WasmFunctions.Function1<Integer, Long> fn = WasmFunctions.func(store, f, WasmValType.I32, WasmValType.I64);
        return new Loaded() {
            @Override public long applyAsLong(long a) { return fn.call((int) a); }

            @Override public void close() {
                f.close();
                module.close();
                linker.close();
                store.close();
                wasi.close();
                engine.close();
                config.close();
            }
        };
    }

    private static Loaded patchbay(byte[] wasm, String export, boolean epoch) {
        dev.patchbay.EngineConfig config = new dev.patchbay.EngineConfig().optLevel(dev.patchbay.codegen.OptLevel.SPEED).epochInterruption(epoch);
        dev.patchbay.Engine engine = new dev.patchbay.Engine(config);
        dev.patchbay.Store store = new dev.patchbay.Store(engine);
        dev.patchbay.WasmFunction f;
        try {
            dev.patchbay.Module module = dev.patchbay.Module.fromWasm(engine, wasm);
            f = dev.patchbay.wasi.WasiCommand.instantiate(store, module, dev.patchbay.wasi.WasiConfig.builder().build()).instance().function(export);
        } catch (RuntimeException e) {
            store.close();
            engine.close();
            throw e;
        }
        return new Loaded() {
            @Override public long applyAsLong(long a) { return f.call(a)[0]; }

            @Override public void close() {
                store.close();
                engine.close();
            }
        };
    }

    private static Loaded chicory(byte[] wasm, String export) {
        WasmModule module = Parser.parse(wasm);
        ImportValues.Builder imports = ImportValues.builder();
        module.importSection().stream().filter(i -> i.importType() == ExternalType.FUNCTION).forEach(i -> {
            FunctionImport fi = (FunctionImport) i;
            imports.addFunction(new HostFunction(i.module(), i.name(), module.typeSection().getType(fi.typeIndex()), (inst, args) -> {
                throw new IllegalStateException(i.module() + "::" + i.name() + " called: the timed export must call no import");
            }));
        });
        com.dylibso.chicory.runtime.Instance instance = com.dylibso.chicory.runtime.Instance.builder(module)
            .withImportValues(imports.build()).withStart(false)
            .withMachineFactory(MachineFactoryCompiler.compile(module)).build();
        ExportFunction f = instance.export(export);
        return new Loaded() {
            @Override public long applyAsLong(long a) { return f.apply(a)[0]; }

            @Override public void close() {}
        };
    }
}
