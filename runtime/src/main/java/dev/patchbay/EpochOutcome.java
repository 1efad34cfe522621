/*
 * What happened when an epoch check reached the runtime, as RuntimeListener hears it: the
 * guest was interrupted (interrupt(), or a deadline callback chose interrupt), ran out of
 * fuel (the FUEL comparison mode), or goes on after a deadline callback chose continueFor
 * or yieldFor with `ticks` more. toString() gives the short form monitoring records:
 * "interrupt", "out_of_fuel", "continue(n)", "yield(n)".
 */
package dev.patchbay;

/**
 * What happened when an epoch check reached the runtime, as {@link
 * RuntimeListener#onEpochDeadline} hears it: the guest was interrupted, ran out of fuel,
 * or goes on after its deadline callback chose to continue or yield. Immutable.
 */
public final class EpochOutcome {
    /** The four outcomes. */
    public enum Kind {
        /** Stopped by {@link Store#interrupt()}, or by a deadline callback's {@link EpochDecision#interrupt()}. */
        INTERRUPT,
        /** Stopped for running out of fuel (the FUEL epoch mode). */
        OUT_OF_FUEL,
        /** Goes on after {@link EpochDecision#continueFor}. */
        CONTINUE,
        /** Goes on, once resumed, after {@link EpochDecision#yieldFor}. */
        YIELD
    }

    static final EpochOutcome INTERRUPTED = new EpochOutcome(Kind.INTERRUPT, 0);
    static final EpochOutcome OUT_OF_FUEL = new EpochOutcome(Kind.OUT_OF_FUEL, 0);

    private final Kind kind;
    private final long ticks;

    private EpochOutcome(Kind kind, long ticks) {
        this.kind = kind;
        this.ticks = ticks;
    }

    /** The outcome of a deadline callback's decision. */
    static EpochOutcome of(EpochDecision d) {
        switch (d.kind()) {
            case INTERRUPT: return INTERRUPTED;
            case CONTINUE: return new EpochOutcome(Kind.CONTINUE, d.ticks());
            default: return new EpochOutcome(Kind.YIELD, d.ticks());
        }
    }

    /**
     * Which outcome this is.
     *
     * @return the kind
     */
    public Kind kind() { return kind; }

    /**
     * Whether the guest stopped.
     *
     * @return true for INTERRUPT and OUT_OF_FUEL
     */
    public boolean stoppedTheGuest() { return kind == Kind.INTERRUPT || kind == Kind.OUT_OF_FUEL; }

    /**
     * The ticks to the new deadline.
     *
     * @return the ticks of CONTINUE and YIELD, 0 otherwise
     */
    public long ticks() { return ticks; }

    /**
     * The short form monitoring records: {@code interrupt}, {@code out_of_fuel}, {@code
     * continue(n)} or {@code yield(n)}.
     */
    @Override public String toString() {
        switch (kind) {
            case INTERRUPT: return "interrupt";
            case OUT_OF_FUEL: return "out_of_fuel";
            case CONTINUE: return "continue(" + ticks + ")";
            default: return "yield(" + ticks + ")";
        }
    }
}
