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
    public final int index;
    public final String name;
    public final int start;
    public final int end;
    /** End of the instructions; [codeEnd, end) holds the function's jump tables. */
    public final int codeEnd;
    /** Bytes below the saved RBP: callee-saved registers, spills, stack slots, outgoing arguments. */
    public final int frameSize;
    public final Signature signature;
    public final int entryTrampoline;

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

    public boolean contains(int offset) { return offset >= start && offset < end; }

    public int size() { return end - start; }
}
