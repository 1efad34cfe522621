/*
 * Counters of epoch interruption, per Engine: deadlines reached, and what the deadline
 * callbacks decided (interrupt, continue, yield). Lock-free; exported through Micrometer
 * by the profiler module.
 */
package dev.patchbay;

import java.util.concurrent.atomic.LongAdder;

public final class EpochMetrics {
    private final LongAdder deadlines = new LongAdder();
    private final LongAdder interrupts = new LongAdder();
    private final LongAdder continues = new LongAdder();
    private final LongAdder yields = new LongAdder();

    void deadlineReached() { deadlines.increment(); }

    void interrupted() { interrupts.increment(); }

    void continued() { continues.increment(); }

    void yielded() { yields.increment(); }

    public long deadlinesReached() { return deadlines.sum(); }

    public long interrupts() { return interrupts.sum(); }

    public long continues() { return continues.sum(); }

    public long yields() { return yields.sum(); }
}
