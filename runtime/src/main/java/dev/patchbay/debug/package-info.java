/**
 * Debugging guest code at zero idle cost: breakpoints and logpoints by CLIF source location,
 * stepping, and stop events with the guest backtrace. A {@link dev.patchbay.debug.Debugger}
 * belongs to one Store ({@code store.debugger()}); until a breakpoint is set the Store's code
 * is byte for byte what it is without one.
 */
package dev.patchbay.debug;
