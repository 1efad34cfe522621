/*
 * A function the module defines: its type index, its declared locals (as the binary's
 * groups, not expanded: a group may declare up to 2^32-1 locals in five bytes) and its code
 * as a byte range of the binary. instructions() decodes the code again on demand (the
 * decoder checked it is well-formed, so that cannot fail); the validator walks the same
 * range with the same CodeReader.
 */
package dev.patchbay.wasm;

import dev.patchbay.wasm.internal.CodeReader;
import dev.patchbay.wasm.internal.Reader;

import java.util.ArrayList;
import java.util.List;

/** A defined function: type index, locals and code. */
public final class FunctionBody {
    private final long typeIndex;
    private final List<LocalGroup> locals;
    private final long localCount;
    private final byte[] binary;
    private final int bodyOffset;
    private final int codeOffset;
    private final int end;

    FunctionBody(long typeIndex, List<LocalGroup> locals, long localCount, byte[] binary,
                 int bodyOffset, int codeOffset, int end) {
        this.typeIndex = typeIndex;
        this.locals = List.copyOf(locals);
        this.localCount = localCount;
        this.binary = binary;
        this.bodyOffset = bodyOffset;
        this.codeOffset = codeOffset;
        this.end = end;
    }

    /** @return the index of the function's type */
    public long typeIndex() { return typeIndex; }

    /** @return the declared locals (parameters not included), as the binary groups them */
    public List<LocalGroup> locals() { return locals; }

    /** @return the number of declared locals (parameters not included) */
    public long localCount() { return localCount; }

    /** @return byte offset of the body (its locals) in the binary */
    public int bodyOffset() { return bodyOffset; }

    /** @return byte offset of the first instruction */
    public int codeOffset() { return codeOffset; }

    /** @return one past the last byte of the body (its final end) */
    public int codeEnd() { return end; }

    /** @return the code, decoded again from the binary, ending with the function's end */
    public List<Instruction> instructions() {
        List<Instruction> out = new ArrayList<>();
        reader().sequence(out);
        return out;
    }

    CodeReader reader() {
        return new CodeReader(new Reader(binary, codeOffset, end, true));
    }
}
