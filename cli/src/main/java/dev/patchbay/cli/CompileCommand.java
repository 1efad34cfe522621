/*
 * `patchbay compile [--disasm] [--json] FILE.clif|FILE.wasm`: compiles a file and prints the
 * annotated disassembly per function (patch sites with kind, id and on bytes, trap sites,
 * function boundaries), or with --json the module's metadata.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.clif.SkippedFunction;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.codegen.verify.VerifierException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Compile a CLIF file or Wasm module to x86-64 and print the annotated disassembly (or --json metadata).")
final class CompileCommand implements Callable<Integer> {
    @Option(names = "--disasm", description = "Print the annotated disassembly (the default output).")
    boolean disasm;

    @Option(names = "--json", description = "Print the module metadata as JSON instead.")
    boolean json;

    @Option(names = "--loop-align", paramLabel = "BYTES", description = "Align loop headers to 0 (off), 1, 2, 4, ... or 64 bytes.")
    int loopAlign;

    @Mixin
    PlanOptions planOptions = new PlanOptions();

    @Parameters(paramLabel = "FILE", description = "a .clif file (a regular file of at most 16 MiB) or a .wasm module")
    Path file;

    @Override public Integer call() {
        try {
            planOptions.plan();
            planOptions.optLevel();
            if (loopAlign != 0 && (loopAlign < 0 || loopAlign > 64 || Integer.bitCount(loopAlign) != 1)) {
                throw new IllegalArgumentException("--loop-align must be 0 or a power of two up to 64, got " + loopAlign);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        CompiledModule module;
        if (file.toString().endsWith(".wasm")) {
            module = compileWasm(file, planOptions.plan(), planOptions.optLevel(), loopAlign);
        } else {
            Compiled c = compile(file, planOptions, loopAlign);
            module = c == null ? null : c.module;
        }
        if (module == null) return Main.EXIT_BAD_INPUT;
        if (json) System.out.print(Json.write(metadata(module)));
        if (disasm || !json) System.out.print(Disassembler.format(module));
        return Main.EXIT_OK;
    }

    /**
     * A Wasm module decoded, validated, translated and compiled as CLIF is; a malformed or
     * invalid one prints its byte offset, one the backend refuses prints why (null back).
     */
    static CompiledModule compileWasm(Path file, dev.patchbay.codegen.instrument.InstrumentationPlan plan, dev.patchbay.codegen.OptLevel optLevel,
                                      int loopAlign) {
        try {
            if (java.nio.file.Files.size(file) > dev.patchbay.Module.MAX_SOURCE_BYTES) {
                System.err.println(file + ": error: larger than " + (dev.patchbay.Module.MAX_SOURCE_BYTES >> 20) + " MiB");
                return null;
            }
            byte[] bytes = java.nio.file.Files.readAllBytes(file);
            dev.patchbay.wasm.translate.TranslatedModule t = dev.patchbay.wasm.translate.Translator.translate(
                dev.patchbay.wasm.WasmModule.decode(bytes).validate(), false);
            for (dev.patchbay.codegen.ir.Function f : t.functions()) {
                String why = Compiler.backendRefusal(f);
                if (why != null) {
                    System.err.println(file + ": error: function %" + f.name + " cannot be compiled: " + why);
                    return null;
                }
            }
            return Compiler.compile(t.functions(), CompileOptions.builder().plan(plan).optLevel(optLevel).loopAlign(loopAlign).build());
        } catch (java.io.IOException e) {
            System.err.println("patchbay: cannot read " + file + ": " + e.getMessage());
        } catch (dev.patchbay.wasm.WasmException | CompileException e) {
            System.err.println(file + ": error: " + e.getMessage());
        }
        return null;
    }

    static final class Compiled {
        final ClifFile clif;
        final CompiledModule module;

        Compiled(ClifFile clif, CompiledModule module) {
            this.clif = clif;
            this.module = module;
        }
    }

    /** Parses and compiles; prints diagnostics to stderr and returns null on bad input. */
    static Compiled compile(Path file, PlanOptions plan, int loopAlign) {
        return compile(file, plan.plan(), plan.optLevel(), loopAlign, System.err);
    }

    /** Parses and compiles; prints diagnostics to `diag` and returns null on bad input. */
    static Compiled compile(Path file, dev.patchbay.codegen.instrument.InstrumentationPlan plan, int loopAlign, java.io.PrintStream diag) {
        return compile(file, plan, dev.patchbay.codegen.OptLevel.NONE, loopAlign, diag);
    }

    static Compiled compile(Path file, dev.patchbay.codegen.instrument.InstrumentationPlan plan, dev.patchbay.codegen.OptLevel optLevel,
            int loopAlign, java.io.PrintStream diag) {
        try {
            ClifFile clif = ClifInput.parse(file);
            for (String w : clif.warnings()) diag.println(w);
            for (SkippedFunction s : clif.skipped()) {
                diag.println(Diagnostics.warning(file.toString(), s.loc(), "skipping %" + s.name() + ": " + s.reason()));
            }
            CompileOptions opts = CompileOptions.builder().plan(plan).optLevel(optLevel).loopAlign(loopAlign).build();
            return new Compiled(clif, Compiler.compile(clif.functions(), opts));
        } catch (ClifInput.BadInputException e) {
            diag.println(e.getMessage());
        } catch (VerifierException e) {
            for (String line : Diagnostics.format(file.toString(), e)) diag.println(line);
        } catch (CompileException | IllegalArgumentException e) {
            diag.println(file + ": error: " + e.getMessage());
        }
        return null;
    }

    static Map<String, Object> metadata(CompiledModule m) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("code_size", m.codeSize());
        List<Object> fns = new ArrayList<>();
        for (FunctionInfo f : m.functions) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", f.index);
            o.put("name", f.name);
            o.put("start", f.start);
            o.put("end", f.end);
            o.put("frame_size", f.frameSize);
            o.put("signature", f.signature.toString());
            o.put("entry_trampoline", f.entryTrampoline);
            fns.add(o);
        }
        root.put("functions", fns);
        List<Object> sites = new ArrayList<>();
        for (PatchSite s : m.patchSites) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", s.id);
            o.put("offset", s.offset);
            o.put("length", s.length);
            o.put("kind", s.kind.label());
            o.put("function", m.functions.get(s.functionIndex).name);
            o.put("callee", s.callee);
            o.put("ir_location", s.irLocation);
            o.put("on_bytes", Disassembler.hex(s.onBytes()));
            o.put("off_bytes", Disassembler.hex(s.offBytes()));
            sites.add(o);
        }
        root.put("patch_sites", sites);
        List<Object> traps = new ArrayList<>();
        for (TrapSite t : m.trapSites) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("offset", t.offset);
            o.put("code", t.code.clifName());
            traps.add(o);
        }
        root.put("trap_sites", traps);
        List<Object> calls = new ArrayList<>();
        for (CallSite c : m.callSites) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("return_offset", c.returnOffset);
            o.put("callee", c.callee);
            calls.add(o);
        }
        root.put("call_sites", calls);
        List<Object> relocs = new ArrayList<>();
        for (Relocation r : m.relocations) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("offset", r.offset);
            o.put("kind", r.kind.name());
            o.put("target", r.target);
            relocs.add(o);
        }
        root.put("relocations", relocs);
        Map<String, Object> hooks = new LinkedHashMap<>();
        m.hookTrampolines.forEach((k, v) -> hooks.put(k.label(), v));
        root.put("hook_trampolines", hooks);
        root.put("trap_stub", m.trapStub);
        List<Object> nops = new ArrayList<>();
        for (byte[] u : m.nopUnits()) nops.add(Disassembler.hex(u));
        root.put("nop_units", nops);
        return root;
    }
}
