/*
 * What an epoch deadline callback decides, as in Wasmtime's epoch_deadline_callback:
 * unwind the guest with an INTERRUPT trap, continue with a new deadline, or yield.
 *
 * Patchbay implements yield in blocking mode: the owner thread parks inside the hook
 * until a scheduler calls Store.resume() (or the Store closes, which interrupts it), then
 * continues with the new deadline. Blocking keeps the guest on its JVM thread's stack,
 * so hostcalls, traps and the JVM's stack checks behave as everywhere else.
 */
package dev.patchbay;

/**
 * What an {@link EpochDeadlineCallback} decides: unwind the guest with an INTERRUPT {@link
 * Trap}, continue with a new deadline, or yield (park the guest until {@link
 * Store#resume()}) and then continue. Immutable.
 *
 * <p>Yield blocks: the owner thread parks inside the epoch hook, keeping the guest on its
 * own stack, until another thread calls {@link Store#resume()}, the Store closes (which
 * interrupts it) or the thread is interrupted (an INTERRUPT Trap).
 */
public final class EpochDecision {
    /** The three decisions. */
    public enum Kind {
        /** Unwind the guest with an INTERRUPT Trap. */
        INTERRUPT,
        /** Resume the guest with a new deadline. */
        CONTINUE,
        /** Park the guest until {@link Store#resume()}, then continue with a new deadline. */
        YIELD
    }

    private static final EpochDecision INTERRUPT = new EpochDecision(Kind.INTERRUPT, 0);

    private final Kind kind;
    private final long ticks;

    private EpochDecision(Kind kind, long ticks) {
        this.kind = kind;
        this.ticks = ticks;
    }

    /**
     * Unwind the guest with a Trap of code INTERRUPT.
     *
     * @return the decision
     */
    public static EpochDecision interrupt() { return INTERRUPT; }

    /**
     * Resume the guest with a new deadline.
     *
     * @param ticks epochs beyond the current one, at least 1
     * @return the decision
     * @throws IllegalArgumentException if ticks is less than 1
     */
    public static EpochDecision continueFor(long ticks) {
        if (ticks < 1) throw new IllegalArgumentException("continueFor needs at least 1 tick, got " + ticks);
        return new EpochDecision(Kind.CONTINUE, ticks);
    }

    /**
     * Park the guest until {@link Store#resume()}, then continue with a new deadline.
     *
     * @param ticks epochs beyond the epoch at resumption, at least 1
     * @return the decision
     * @throws IllegalArgumentException if ticks is less than 1
     */
    public static EpochDecision yieldFor(long ticks) {
        if (ticks < 1) throw new IllegalArgumentException("yieldFor needs at least 1 tick, got " + ticks);
        return new EpochDecision(Kind.YIELD, ticks);
    }

    /**
     * Which decision this is.
     *
     * @return the kind
     */
    public Kind kind() { return kind; }

    /**
     * The ticks to the new deadline.
     *
     * @return the ticks of CONTINUE and YIELD, 0 for INTERRUPT
     */
    public long ticks() { return ticks; }

    /** The decision as text: {@code interrupt}, {@code continue(n)} or {@code yield(n)}. */
    @Override public String toString() { return kind == Kind.INTERRUPT ? "interrupt" : kind.name().toLowerCase() + "(" + ticks + ")"; }
}
