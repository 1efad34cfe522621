/*
 * A tool, not a test: writes everything the backend emits for a corpus, so that two builds
 * of the compiler can be compared byte for byte (`diff -r` of two output directories).
 *
 * A refactoring of the backend (the MInst records, the post-allocation Rewrite) claims that
 * the code does not change. That claim needs the code of many programs under every
 * instrumentation plan and both loop alignments, from the old and the new compiler; the
 * filetests alone pin one plan each. For every .clif file and every .wasm module (the spec
 * suite's, converted by wast2json, and the examples) given on the command line, this writes
 * one file holding, per option set, the module's code, patch sites with their on/off bytes,
 * trap sites, call returns, relocations, the value table and the location table. A
 * compile error is recorded as its message, so a changed refusal shows up as well.
 *
 * Run from the repository root, once per build (the class path of the build to digest):
 *   java -cp wasm/target/test-classes:wasm/target/classes:codegen/target/classes \
 *       dev.patchbay.wasm.EmissionDigest OUT_DIR FILE_OR_DIR...
 */
package dev.patchbay.wasm;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.LocationTable;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.codegen.machinst.ValueTable;
import dev.patchbay.wasm.translate.Translator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

final class EmissionDigest {
    private EmissionDigest() {}

    /** The seven plan shapes CompilerInputTest uses, each at loop alignment 0 and 16. */
    static List<CompileOptions> optionSets() {
        List<InstrumentationPlan> plans = new ArrayList<>();
        plans.add(InstrumentationPlan.NONE);
        for (EpochMode m : EpochMode.values()) if (m != EpochMode.NONE) plans.add(InstrumentationPlan.all().withEpochMode(m));
        plans.add(InstrumentationPlan.of(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT));
        List<CompileOptions> out = new ArrayList<>();
        for (int align : new int[] {0, 16}) {
            for (InstrumentationPlan p : plans) out.add(CompileOptions.builder().plan(p).loopAlign(align).build());
        }
        return out;
    }

    static String digest(CompiledModule m) {
        StringBuilder sb = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (PatchSite s : m.patchSites) {
            sb.append("site @").append(s.offset).append('+').append(s.length).append(' ').append(s.kind).append(' ').append(s.callee)
                .append(' ').append(s.irLocation).append(" on ").append(hex.formatHex(s.onBytes())).append(" off ")
                .append(hex.formatHex(s.offBytes())).append('\n');
        }
        for (TrapSite t : m.trapSites) sb.append("trap @").append(t.offset).append(' ').append(t.code).append('\n');
        for (CallSite c : m.callSites) sb.append("call @").append(c.returnOffset).append(' ').append(c.callee).append('\n');
        for (Relocation r : m.relocations) sb.append("reloc @").append(r.offset).append(' ').append(r.kind).append(' ').append(r.target).append('\n');
        for (ValueTable.Value v : m.values.values()) sb.append("value ").append(v.function()).append(' ').append(v).append('\n');
        for (LocationTable.Entry e : m.locations.entries()) sb.append("loc ").append(e).append('\n');
        byte[] code = m.code();
        for (int i = 0; i < code.length; i += 32) {
            sb.append(hex.formatHex(code, i, Math.min(code.length, i + 32))).append('\n');
        }
        return sb.toString();
    }

    private static String compile(List<Function> fns, CompileOptions o) {
        try {
            return digest(Compiler.compile(fns, o));
        } catch (RuntimeException e) {
            return "refused: " + e.getClass().getSimpleName() + ": " + e.getMessage() + '\n';
        }
    }

    private static List<Function> functionsOf(Path p) throws IOException {
        if (p.toString().endsWith(".clif")) return ClifParser.parse(p.getFileName().toString(), Files.readString(p)).functions();
        WasmModule m = WasmModule.decode(Files.readAllBytes(p));
        Validator.validate(m);
        return Translator.translate(m, true).functions();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) throw new IllegalArgumentException("usage: EmissionDigest OUT_DIR FILE_OR_DIR...");
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        List<Path> inputs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            try (Stream<Path> s = Files.walk(Path.of(args[i]))) {
                s.filter(p -> p.toString().endsWith(".clif") || p.toString().endsWith(".wasm")).sorted().forEach(inputs::add);
            }
        }
        List<CompileOptions> opts = optionSets();
        int files = 0;
        for (Path p : inputs) {
            List<Function> fns;
            try {
                fns = functionsOf(p);
            } catch (RuntimeException e) {
                continue; // a spec module that is meant not to decode or validate
            }
            StringBuilder sb = new StringBuilder();
            for (CompileOptions o : opts) sb.append("== ").append(o.plan()).append(" align ").append(o.loopAlign()).append('\n').append(compile(fns, o));
            String name = p.toString().replace('/', '_');
            Files.writeString(out.resolve(name.length() > 200 ? name.substring(name.length() - 200) : name), sb);
            files++;
        }
        System.err.println(files + " files x " + opts.size() + " option sets digested into " + out);
    }
}
