/*
 * A compiled function's place in the module: its code range, frame size, signature, and
 * the entry trampoline that calls it from the host.
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.ir.Signature;

/**
 * Where a compiled function is in its module: code range, frame size, signature and the entry
 * trampoline the host calls it through.
 */
public final class FunctionInfo {
    /** The function's position in {@link CompiledModule#functions} (and in the compiler's input). */
    public final int index;
    /** Its name, without the {@code %} sigil. */
    public final String name;
    /** Offset of its first byte (its entry point) in the module's code. */
    public final int start;
    /** Offset just past its last byte, jump tables included. */
    public final int end;
    /** End of the instructions; [codeEnd, end) holds the function's jump tables. */
    public final int codeEnd;
    /** Bytes below the saved RBP: callee-saved registers, spills, stack slots, outgoing arguments. */
    public final int frameSize;
    /** Its signature. */
    public final Signature signature;
    /**
     * Offset of the entry trampoline the host calls it through; functions with equal signatures
     * share one.
     */
    public final int entryTrampoline;

    /**
     * Where a function is.
     *
     * @param index its position in the module's function list
     * @param name its name
     * @param start offset of its first byte
     * @param end offset just past its last byte
     * @param codeEnd end of its instructions, in [start, end]
     * @param frameSize its frame size in bytes, below the saved RBP
     * @param signature its signature
     * @param entryTrampoline offset of its entry trampoline
     * @throws IllegalArgumentException if codeEnd is outside [start, end]
     */
    public FunctionInfo(int index, String name, int start, int end, int codeEnd, int frameSize, Signature signature,
                        int entryTrampoline) {
        if (codeEnd < start || codeEnd > end) {
            throw new IllegalArgumentException("function " + name + ": code end " + codeEnd + " outside [" + start + ", " + end + "]");
        }
        this.index = index;
        this.name = name;
        this.start = start;
        this.end = end;
        this.codeEnd = codeEnd;
        this.frameSize = frameSize;
        this.signature = signature;
        this.entryTrampoline = entryTrampoline;
    }

    /**
     * Whether an offset is in the function's range.
     *
     * @param offset an offset in the module's code
     * @return true if start is at most offset and offset is below end
     */
    public boolean contains(int offset) { return offset >= start && offset < end; }

    /**
     * The function's size.
     *
     * @return end minus start, in bytes
     */
    public int size() { return end - start; }
}
