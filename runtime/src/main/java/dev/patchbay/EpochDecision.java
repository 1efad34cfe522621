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

public final class EpochDecision {
    public enum Kind { INTERRUPT, CONTINUE, YIELD }

    private static final EpochDecision INTERRUPT = new EpochDecision(Kind.INTERRUPT, 0);

    private final Kind kind;
    private final long ticks;

    private EpochDecision(Kind kind, long ticks) {
        this.kind = kind;
        this.ticks = ticks;
    }

    /** Unwind the guest with a Trap of code INTERRUPT. */
    public static EpochDecision interrupt() { return INTERRUPT; }

    /** Resume the guest with a new deadline `ticks` beyond the current epoch. */
    public static EpochDecision continueFor(long ticks) {
        if (ticks < 1) throw new IllegalArgumentException("continueFor needs at least 1 tick, got " + ticks);
        return new EpochDecision(Kind.CONTINUE, ticks);
    }

    /** Park the guest until Store.resume(), then continue with a deadline `ticks` beyond the epoch. */
    public static EpochDecision yieldFor(long ticks) {
        if (ticks < 1) throw new IllegalArgumentException("yieldFor needs at least 1 tick, got " + ticks);
        return new EpochDecision(Kind.YIELD, ticks);
    }

    public Kind kind() { return kind; }

    public long ticks() { return ticks; }

    @Override public String toString() { return kind == Kind.INTERRUPT ? "interrupt" : kind.name().toLowerCase() + "(" + ticks + ")"; }
}
