/*
 * How far the compiler may reshape a function before instrumentation. The backend always
 * allocates registers and selects instructions well; what a level adds are IR transformations
 * whose effect a user can observe beyond speed (fewer calls in a profile, shorter
 * backtraces), which is why the default keeps the program's call structure as written, as
 * Cranelift's own default (opt_level=none) does.
 */
package dev.patchbay.codegen;

/** Which IR transformations {@link Compiler#compile} runs before it instruments a function. */
public enum OptLevel {
    /** None: every call in the IR is a call in the code, so profiles and backtraces show them all. */
    NONE,
    /**
     * Transformations for speed that change the call structure: self-recursion at the end of a
     * path becomes a loop (the tail-recursion pass with an accumulator, as gcc -O2 does), and a loop
     * that fills a stack slot byte by byte stores eight bytes at a time.
     */
    SPEED
}
