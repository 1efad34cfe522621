/*
 * An edit the post-allocation Rewrite places before or after an instruction: the moves
 * that put a spilled operand in a register (Reload), a result computed in a register into
 * its slot (Spill), a value between registers or classes (Move), and the constants and
 * address arithmetic that block-edge moves and spilled addresses need. These are the only
 * instructions emission writes that the program did not ask for.
 *
 * Registers are the allocator's numbers (GPRs 0..15, xmmN as Abi.XMM_BASE + N); each
 * edit's encoding follows from their classes alone (Emit.edit): a GPR reload or spill is
 * 8 bytes (mov), an XMM one movsd; a move within the GPRs is mov, within the XMMs movaps,
 * across the classes movq.
 */
package dev.patchbay.codegen.isa.x64;

sealed interface Edit {
    /** dst = src, registers of either class (across the classes: the 64 raw bits). */
    record Move(int dst, int src) implements Edit {}

    /** dst = the 8-byte word at `from` (a frame slot, an argument or a return word). */
    record Reload(int dst, Mem from) implements Edit {}

    /** The 8-byte word at `to` = src. */
    record Spill(Mem to, int src) implements Edit {}

    /** GPR dst = imm (a zero is `xor`: flags are dead wherever edits happen). */
    record LoadConst(int dst, long imm) implements Edit {}

    /** The 8-byte word at `to` = imm, sign-extended from 32 bits. */
    record StoreConst(Mem to, int imm) implements Edit {}

    /** GPR dst = the address `addr` (a base and a spilled index combined into one register). */
    record Lea(int dst, Mem addr) implements Edit {}
}
