/*
 * wasm's module descriptor. wasm needs codegen's IR (the translator builds it) and nothing else.
 *
 * Exported to everyone, the API: WasmModule.decode, Validator, the immutable model of a
 * decoded module and the two exceptions (WasmDecodeException, WasmValidationException).
 * Also exported: dev.patchbay.wasm.translate, the translator to Patchbay IR, its
 * InstanceLayout (what the runtime writes) and the builtins the runtime defines.
 * Also exported: dev.patchbay.wasm.dwarf, the DWARF line table of a module built with -g.
 * Not exported: dev.patchbay.wasm.internal (the byte reader and the section and code
 * decoders), which nothing outside this module calls.
 */

/**
 * A WebAssembly 2.0 (without SIMD) binary decoder and validator. Start at
 * {@link dev.patchbay.wasm.WasmModule#decode(byte[])}.
 */
module dev.patchbay.wasm {
    requires transitive dev.patchbay.codegen;
    exports dev.patchbay.wasm;
    exports dev.patchbay.wasm.translate;
    exports dev.patchbay.wasm.dwarf;
}
