/*
 * One function's frame, decided once registers are allocated: the callee-saved registers
 * it pushes, where the spill slots and stack slots lie below RBP, and the one `sub rsp`
 * that covers them and the outgoing argument area. The Rewrite turns spill slots into
 * RBP-relative memory operands with it; emission writes the prologue and epilogues from it.
 *
 * Layout below the saved RBP: the pushed registers (and, for preserve_all, the flags), then
 * 8-byte spill slots, then the stack slots at their alignment, then outgoing arguments at
 * RSP. The total is 16-byte aligned, so RSP is aligned at every call; computed in 64 bits
 * and refused above Limits.MAX_FRAME_BYTES (a wrapped frame once put a stack slot over the
 * return address).
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.Limits;
import dev.patchbay.codegen.ir.StackSlot;
import dev.patchbay.codegen.regalloc.LinearScan;

import java.util.ArrayList;
import java.util.List;

final class FrameLayout {
    /** Callee-saved registers pushed after RBP, in push order. */
    final List<Gpr> saved = new ArrayList<>();
    final boolean preserveAll;
    /** Bytes pushed below the saved RBP; spill slot k is at RBP - (spillBase + 8 (k + 1)). */
    final int spillBase;
    /** Per IR stack slot: its offset below RBP. */
    final int[] slotOffsets;
    /** The `sub rsp` of the prologue. */
    final int subBytes;
    /** Everything below the saved RBP, 16-byte aligned. */
    final int frameSize;

    FrameLayout(VCode vc, LinearScan.Result alloc) {
        CallConv cc = vc.f.signature.callConv;
        preserveAll = cc == CallConv.PRESERVE_ALL;
        if (preserveAll && vc.isFloat != null) {
            throw new CompileException("function %" + vc.f.name + ": a preserve_all function that uses f32/f64 is not supported"
                + " (its XMM registers would have to be saved too)");
        }
        if (preserveAll) {
            for (Gpr g : Gpr.values()) if (g != Gpr.RSP && g != Gpr.RBP && g != Abi.VMCTX) saved.add(g);
        } else {
            long cs = Abi.calleeSaved(cc);
            // A register this function must preserve is overwritten not only when the
            // allocator hands it out but also by any call to a callee whose convention does
            // not preserve it (argument setup and the callee's body): a windows_fastcall
            // function calling System V code loses RSI and RDI that way.
            long clobbered = alloc.usedRegs;
            for (MInst m : vc.insts) if (m.kind() == MInst.K.CALL) clobbered |= m.lateClobber();
            for (Gpr g : Abi.ALLOCATABLE) {
                if ((clobbered & Abi.bit(g)) != 0 && (cs & Abi.bit(g)) != 0) saved.add(g);
            }
        }
        int pushed = 8 * saved.size() + (preserveAll ? 8 : 0);
        spillBase = pushed;
        long off = pushed + 8L * alloc.numSpillSlots;
        List<StackSlot> slots = vc.f.stackSlots;
        slotOffsets = new int[slots.size()];
        for (int i = 0; i < slots.size(); i++) {
            StackSlot s = slots.get(i);
            long align = Math.min(Math.max(s.align, 1), 16);
            off = (off + s.size + align - 1) / align * align;
            if (off > Limits.MAX_FRAME_BYTES) break;
            slotOffsets[i] = (int) off;
        }
        long total = off + vc.outgoingBytes;
        long aligned = (total + 15) & ~15L;
        if (off > Limits.MAX_FRAME_BYTES || aligned > Limits.MAX_FRAME_BYTES) {
            throw new CompileException("function %" + vc.f.name + ": its frame needs more than " + Limits.MAX_FRAME_BYTES
                + " bytes, over the limit (stack slots, spills and outgoing arguments together)");
        }
        subBytes = (int) (aligned - pushed);
        frameSize = (int) aligned;
    }

    /** Spill slot k's offset from RBP. */
    int spillOffset(int slot) { return -(spillBase + 8 * (slot + 1)); }
}
