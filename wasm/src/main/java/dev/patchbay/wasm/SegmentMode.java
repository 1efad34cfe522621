package dev.patchbay.wasm;

/** How an element or data segment is used. */
public enum SegmentMode {
    /** Copied into a table or memory at instantiation. */ ACTIVE,
    /** Used by table.init / memory.init. */ PASSIVE,
    /** Element segments only: declares function references, never copied. */ DECLARATIVE
}
