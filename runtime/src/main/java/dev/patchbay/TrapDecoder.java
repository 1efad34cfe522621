/*
 * Turns what the trap stub left in the vmctx (a trap code and up to BT_MAX return
 * addresses) into a Trap: the code, and the guest backtrace as functions and offsets.
 * The PCs come from guest stacks, which a guest may have corrupted, so every one is
 * checked against the instance's code before it is looked up. What an offset decodes to
 * is the module's, so it is looked up in the module's TrapFrames, decoded once per offset.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.FunctionInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

final class TrapDecoder {
    private TrapDecoder() {}

    /**
     * Reads and clears the trap code. `cause` is what a hostcall or callback threw, if
     * anything; `interruptedHostcall` says that cause is the InterruptedException of a
     * hostcall woken by interrupt(), which makes the trap an interrupt.
     */
    static Trap decode(Vmctx vmctx, LoadedModule inst, Throwable cause, boolean interruptedHostcall) {
        int code = (int) vmctx.trapCode();
        vmctx.setTrapCode(0);
        int n = vmctx.backtraceCount();
        List<GuestFrame> frames = new ArrayList<>(n);
        StackTraceElement[] elements = new StackTraceElement[n];
        TrapFrames known = inst.module().trapFrames();
        long base = inst.code().execBase(), size = inst.code().size();
        for (int i = 0; i < n; i++) {
            long off = vmctx.backtracePc(i) - base;
            // A frame above the first holds a return address: its call is the byte before.
            TrapFrames.Decoded d = off >= 0 && off < size ? known.at((int) off, i > 0) : null;
            // A bad_target's trapping PC lies outside any function; the frames below it may not.
            if (d == null && i == 0) continue;
            if (d == null) break;
            elements[frames.size()] = d.element();
            frames.add(d.frame());
        }
        TrapCode tc = TrapCode.fromCode(code);
        if (interruptedHostcall && tc.equals(TrapCode.HOST_ERROR)) tc = TrapCode.INTERRUPT;
        boolean keepCause = tc.equals(TrapCode.HOST_ERROR) || tc.equals(TrapCode.INTERRUPT);
        return new Trap(tc, Collections.unmodifiableList(frames), keepCause ? cause : null, elements);
    }

    /**
     * The source location of the instruction at a code offset, as GuestFrame shows it: CLIF's
     * line:col, or for a module translated from Wasm the instruction's offset in the binary
     * (the translator's IR lines are those offsets); "" when the table has none.
     */
    static String location(Module m, FunctionInfo f, int off) {
        dev.patchbay.codegen.ir.SourceLoc loc = m.compiled().locations.locationAt(f.index, off);
        if (!loc.isKnown()) return "";
        return m.wasm() != null ? wasmLocation(loc.line) : loc.toString();
    }

    /** A Wasm instruction's location as frames show it, from its offset in the binary: {@code @0x2f}. */
    static String wasmLocation(int offset) {
        return "@0x" + Integer.toHexString(offset);
    }
}
