/*
 * Counters of epoch interruption, per Engine: deadlines reached, and what the deadline
 * callbacks decided (interrupt, continue, yield). Lock-free; exported through Micrometer
 * by the profiler module.
 */
package dev.patchbay;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of epoch interruption over all Stores of an {@link Engine} ({@link
 * Engine#epochMetrics()}): deadlines reached, and what the deadline callbacks decided.
 * Live and monotonic; any thread may read them. The profiler exports them through
 * Micrometer.
 */
public final class EpochMetrics {
    private final LongAdder deadlines = new LongAdder();
    private final LongAdder interrupts = new LongAdder();
    private final LongAdder continues = new LongAdder();
    private final LongAdder yields = new LongAdder();

    EpochMetrics() {}

    void deadlineReached() { deadlines.increment(); }

    void interrupted() { interrupts.increment(); }

    void continued() { continues.increment(); }

    void yielded() { yields.increment(); }

    /**
     * Epoch deadlines that passed while a guest ran and reached its deadline callback.
     *
     * @return the count
     */
    public long deadlinesReached() { return deadlines.sum(); }

    /**
     * Guests the epoch runtime unwound: by {@link Store#interrupt()}, by a deadline
     * callback's {@link EpochDecision#interrupt()}, or for running out of fuel.
     *
     * @return the count
     */
    public long interrupts() { return interrupts.sum(); }

    /**
     * Deadline callbacks that decided {@link EpochDecision#continueFor}.
     *
     * @return the count
     */
    public long continues() { return continues.sum(); }

    /**
     * Deadline callbacks that decided {@link EpochDecision#yieldFor}.
     *
     * @return the count
     */
    public long yields() { return yields.sum(); }
}
