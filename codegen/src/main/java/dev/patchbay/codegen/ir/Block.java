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
    /** The block's index in its function, fixed when it is created. */
    public final int id;
    /** Its name in CLIF text, such as {@code "block3"}. */
    public final String name;
    /** Its parameters: the values defined on entry, which branches to it pass. */
    public int[] params = new int[0];
    /** Its instructions, in order; the verifier requires the last to be a terminator. */
    public final List<Inst> insts = new ArrayList<>();
    /** Whether the block is cold (CLIF's {@code cold}): the backend places cold blocks after the others. */
    public boolean cold;
    /** Where the block's header is in CLIF text, or {@link SourceLoc#NONE}. */
    public SourceLoc loc = SourceLoc.NONE;
    /** Set once the block has been placed in the layout (defined, for the parser). */
    public boolean inLayout;

    /**
     * A block with no parameters or instructions. {@link Function#newBlock} is the usual way to
     * make one.
     *
     * @param id its index in its function
     * @param name its CLIF name
     */
    public Block(int id, String name) {
        this.id = id;
        this.name = name;
    }

    /**
     * The block's last instruction, which ends it if the block is valid.
     *
     * @return the last instruction, or null if the block is empty
     */
    public Inst terminator() {
        return insts.isEmpty() ? null : insts.get(insts.size() - 1);
    }

    @Override public String toString() { return name; }
}
