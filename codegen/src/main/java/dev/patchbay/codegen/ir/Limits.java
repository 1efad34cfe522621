/*
 * Hard limits on what one function may declare, checked by the verifier (so the CLI
 * reports them as `file:line:col: error: ...`, exit 2) and again where code is emitted.
 * They keep every frame and trampoline offset far inside 32-bit displacements, and every
 * stack write a trampoline makes before the guest's own stack check small enough to land
 * inside the stack the runtime keeps free below the guest (VmctxLayout.GUEST_STACK_SLACK).
 *
 *  - MAX_PARAMS, MAX_RETURNS: per signature (the function's own, its sigN and fnN
 *    declarations, so imports and call_indirect too). 1,000 each, the limits
 *    WebAssembly engines apply to a function type; an exit trampoline spills at most
 *    8 KB of arguments.
 *  - MAX_STACK_SLOT_BYTES: the explicit stack slots of one function together, with their
 *    alignment padding: 1 GiB. The default guest stack is 256 KiB, so a frame anywhere
 *    near this traps stk_ovf at entry unless the embedder raised the stack limit.
 *  - MAX_FRAME_BYTES: the whole frame (saved registers, spills, slots, outgoing
 *    arguments), checked by the backend: 1 GiB + 64 MiB.
 */
package dev.patchbay.codegen.ir;

/**
 * Hard limits on what one function may declare. The verifier checks them, so breaking one is a
 * verifier error that points at the declaration; the backend checks the frame size again.
 */
public final class Limits {
    private Limits() {}

    /** Most parameters one signature may have: the function's own, a {@code sigN}'s or an {@code fnN}'s. */
    public static final int MAX_PARAMS = 1000;
    /** Most return values one signature may have. */
    public static final int MAX_RETURNS = 1000;
    /** Most bytes a function's explicit stack slots may take together, alignment padding included: 1 GiB. */
    public static final long MAX_STACK_SLOT_BYTES = 1L << 30;
    /** Most bytes a whole frame may take (saved registers, spills, slots, outgoing arguments): 1 GiB + 64 MiB. */
    public static final long MAX_FRAME_BYTES = (1L << 30) + (64L << 20);
}
