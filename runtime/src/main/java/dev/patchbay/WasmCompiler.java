/*
 * From a Wasm binary to a Module: decode, validate, translate, compile with the Engine's
 * options (so epoch and profile sites come out exactly as for CLIF), load. A function the
 * backend refuses makes the whole module unsupported, never silently incomplete.
 */
package dev.patchbay;

import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.translate.TranslatedModule;
import dev.patchbay.wasm.translate.Translator;

final class WasmCompiler {
    private WasmCompiler() {}

    static Module compile(Engine engine, String sourceName, byte[] binary, boolean boundsChecks) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        if (binary == null) throw new IllegalArgumentException("binary is null");
        engine.checkOpen();
        WasmModule m = WasmModule.decode(binary).validate();
        TranslatedModule t = Translator.translate(m, boundsChecks);
        for (Function f : t.functions()) {
            String why = Compiler.backendRefusal(f);
            if (why != null) throw new WasmUnsupportedException(sourceName + ": function %" + f.name + " cannot be compiled: " + why, why);
        }
        CompiledModule compiled = Compiler.compile(t.functions(), engine.compileOptions());
        engine.load(compiled);
        return new Module(engine, compiled, t);
    }
}
