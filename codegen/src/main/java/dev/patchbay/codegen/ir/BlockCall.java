/*
 * A branch target with the values it passes to the target block's parameters.
 */
package dev.patchbay.codegen.ir;

/** A branch target together with the values passed to the target block's parameters. */
public final class BlockCall {
    /** The target block's id. */
    public final int block;
    /** The values passed to the target's parameters, in order. */
    public int[] args;

    /**
     * A branch target.
     *
     * @param block the target block's id
     * @param args the values for its parameters, copied
     */
    public BlockCall(int block, int[] args) {
        this.block = block;
        this.args = args.clone();
    }
}
