/*
 * A basic block: parameters (SSA values defined on entry) and a list of instructions
 * ending in exactly one terminator (checked by the verifier, not here).
 */
package dev.patchbay.codegen.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * A basic block: its parameters (SSA values defined on entry) and its instructions, the last of
 * which the verifier requires to be a terminator.
 */
public final class Block {
    public final int id;
    public final String name;
    public int[] params = new int[0];
    public final List<Inst> insts = new ArrayList<>();
    public boolean cold;
    public SourceLoc loc = SourceLoc.NONE;
    /** Set once the block has been placed in the layout (defined, for the parser). */
    public boolean inLayout;

    public Block(int id, String name) {
        this.id = id;
        this.name = name;
    }

    public Inst terminator() {
        return insts.isEmpty() ? null : insts.get(insts.size() - 1);
    }

    @Override public String toString() { return name; }
}
