/*
 * wasm's module descriptor. wasm needs nothing but java.base.
 *
 * Exported to everyone, the API: WasmModule.decode, Validator, the immutable model of a
 * decoded module and the two exceptions (WasmDecodeException, WasmValidationException).
 * Not exported: dev.patchbay.wasm.internal (the byte reader and the section and code
 * decoders), which nothing outside this module calls.
 */

/**
 * A WebAssembly 2.0 (without SIMD) binary decoder and validator. Start at
 * {@link dev.patchbay.wasm.WasmModule#decode(byte[])}.
 */
module dev.patchbay.wasm {
    exports dev.patchbay.wasm;
}
