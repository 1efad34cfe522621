package dev.patchbay.wasm;

/** What an import or export names. */
public enum ExternKind {
    /** A function (index space: imported functions, then defined ones). */ FUNC,
    /** A table. */ TABLE,
    /** A memory. */ MEMORY,
    /** A global. */ GLOBAL
}
