/*
 * A guest fault, delivered to Java: a trap code and the guest backtrace (function names
 * and code offsets, innermost first). Traps never escape as JVM crashes; generated code
 * checks every trap condition itself and unwinds to the entry trampoline.
 *
 * The stack trace starts with the guest frames, as synthetic elements
 * ("at guest.%fib(+0x1c)"), so `log.error(msg, trap)` shows where the guest was. Faults
 * continue with the Java stack as any exception does; INTERRUPT traps (deadlines and
 * interrupt()) carry only the guest frames, because walking the Java stack would sit on
 * every interrupt's path.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;

import java.util.List;

/**
 * A guest trap, thrown by {@link Func#call}: a trap code ({@code heap_oob}, {@code
 * int_divz}, {@code interrupt}, {@code stk_ovf}...) and the guest backtrace, innermost
 * frame first. Guest faults never crash the JVM: they become Traps.
 *
 * <p>The stack trace starts with the guest frames, as synthetic elements of class {@value
 * #GUEST_CLASS} ({@code at guest.%fib(+0x1c)}), so a logged Trap shows where the guest was.
 * Faults continue with the Java stack, as any exception does; INTERRUPT traps (deadlines,
 * {@link Store#interrupt()}) carry only the guest frames, because walking the Java stack
 * would sit on every interrupt's path. A hostcall's or callback's exception is the cause.
 */
public class Trap extends RuntimeException {
    /** The trap code. */
    private final TrapCode code;
    /** The guest frames, innermost first. */
    private final List<GuestFrame> backtrace;

    /**
     * A Trap; the runtime makes them, and a host may make one to stand for a guest trap.
     *
     * @param code the trap code
     * @param backtrace the guest frames, innermost first (copied)
     * @param cause what caused it, or null
     */
    public Trap(TrapCode code, List<GuestFrame> backtrace, Throwable cause) {
        this(code, List.copyOf(backtrace), cause, null);
    }

    /**
     * The runtime's Trap: `guest` holds the stack trace element of each frame of `frames`
     * (an unmodifiable list), precomputed per module by TrapDecoder's frame cache, so an
     * interrupt builds no string here; null computes them.
     */
    Trap(TrapCode code, List<GuestFrame> frames, Throwable cause, StackTraceElement[] guest) {
        // An INTERRUPT is the runtime doing its job (a deadline or interrupt()), not a fault
        // to debug: it carries its guest backtrace but no Java stack trace, whose capture
        // (a walk of the Java stack in the VM) would otherwise sit on every interrupt's path.
        // The message is built when asked for, also to keep it off an interrupt's path.
        super(null, cause, true, skipJavaStackFor(code));
        this.code = code;
        this.backtrace = frames;
        StackTraceElement[] java = getStackTrace();
        StackTraceElement[] all = new StackTraceElement[frames.size() + java.length];
        for (int i = 0; i < frames.size(); i++) all[i] = guest != null ? guest[i] : stackTraceElement(frames.get(i));
        System.arraycopy(java, 0, all, frames.size(), java.length);
        setStackTrace(all);
    }

    /** A guest frame as its synthetic stack trace element ({@code guest.%fib(+0x1c)}). */
    static StackTraceElement stackTraceElement(GuestFrame f) {
        return new StackTraceElement(GUEST_CLASS, "%" + f.function(), "+0x" + Integer.toHexString(f.offset()), -1);
    }

    /** The declaring "class" of the synthetic guest frames in a Trap's stack trace. */
    public static final String GUEST_CLASS = "guest";

    private static final ThreadLocal<Boolean> SKIP_JAVA_STACK = new ThreadLocal<>();

    /**
     * Called while the superclass is constructed: the stack trace stays writable (for the
     * guest frames), but an INTERRUPT's Java stack is not walked (fillInStackTrace below).
     */
    private static boolean skipJavaStackFor(TrapCode code) {
        if (code.equals(TrapCode.INTERRUPT)) SKIP_JAVA_STACK.set(Boolean.TRUE);
        return true;
    }

    @Override public synchronized Throwable fillInStackTrace() {
        if (SKIP_JAVA_STACK.get() != null) {
            SKIP_JAVA_STACK.remove();
            return this;
        }
        return super.fillInStackTrace();
    }

    /**
     * Why the guest trapped.
     *
     * @return the trap code
     */
    public TrapCode code() { return code; }

    /**
     * Where the guest was.
     *
     * @return the guest frames, innermost first; unmodifiable, possibly empty
     */
    public List<GuestFrame> backtrace() { return backtrace; }

    /** {@code trap: CODE in %innermost}, or {@code trap: CODE} without frames. */
    @Override public String getMessage() {
        StringBuilder sb = new StringBuilder("trap: ").append(code.clifName());
        if (!backtrace.isEmpty()) sb.append(" in %").append(backtrace.get(0).function());
        return sb.toString();
    }

    /**
     * The backtrace as the CLI prints it.
     *
     * @return one {@code "  #i %name+0xoff"} line per frame, innermost ({@code #0}) first
     */
    public String formatBacktrace() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < backtrace.size(); i++) {
            sb.append("  #").append(i).append(' ').append(backtrace.get(i)).append('\n');
        }
        return sb.toString();
    }
}
