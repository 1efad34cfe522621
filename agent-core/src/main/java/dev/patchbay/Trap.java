/*
 * A guest fault, delivered to Java: a trap code and the guest backtrace (function names
 * and code offsets, innermost first). Traps never escape as JVM crashes; generated code
 * checks every trap condition itself and unwinds to the entry trampoline. Faults carry a
 * Java stack trace as any exception does; INTERRUPT traps (deadlines and interrupt())
 * carry only the guest backtrace, so stopping a guest stays cheap.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;

import java.util.List;

public class Trap extends RuntimeException {
    private final TrapCode code;
    private final List<GuestFrame> backtrace;

    public Trap(TrapCode code, List<GuestFrame> backtrace, Throwable cause) {
        // An INTERRUPT is the runtime doing its job (a deadline or interrupt()), not a fault
        // to debug: it carries its guest backtrace but no Java stack trace, whose capture
        // (a walk of the Java stack in the VM) would otherwise sit on every interrupt's path.
        // The message is built when asked for, also to keep it off an interrupt's path.
        super(null, cause, true, !code.equals(TrapCode.INTERRUPT));
        this.code = code;
        this.backtrace = List.copyOf(backtrace);
    }

    public TrapCode code() { return code; }

    /** Guest frames, innermost first. */
    public List<GuestFrame> backtrace() { return backtrace; }

    /** "trap: CODE in %innermost". */
    @Override public String getMessage() {
        StringBuilder sb = new StringBuilder("trap: ").append(code.clifName());
        if (!backtrace.isEmpty()) sb.append(" in %").append(backtrace.get(0).function());
        return sb.toString();
    }

    /** The backtrace as the CLI prints it: one "  #i %name+0xoff" line per frame. */
    public String formatBacktrace() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < backtrace.size(); i++) {
            sb.append("  #").append(i).append(' ').append(backtrace.get(i)).append('\n');
        }
        return sb.toString();
    }
}
