package dev.patchbay.wasm;

/**
 * A global defined by the module.
 *
 * @param type its type
 * @param init its initializer
 */
public record Global(GlobalType type, ConstExpr init) {}
