/*
 * A branch target with the values it passes to the target block's parameters.
 */
package dev.patchbay.codegen.ir;

/** A branch target together with the values passed to the target block's parameters. */
public final class BlockCall {
    public final int block;
    public int[] args;

    public BlockCall(int block, int[] args) {
        this.block = block;
        this.args = args.clone();
    }
}
