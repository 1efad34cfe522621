/*
 * Epoch interruption options for `patchbay run`: --timeout interrupts the guest after a
 * wall-clock time (as ticks of --tick), --epoch-deadline sets the deadline in ticks
 * directly. Either one turns epoch interruption on for the run. validate() parses and
 * range-checks all three (see Values) before any work starts.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Store;
import dev.patchbay.EpochTicker;
import picocli.CommandLine.Option;

import java.time.Duration;

final class EpochOptions {
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1), MAX_TIMEOUT = Duration.ofDays(365);
    static final Duration MIN_TICK = Duration.ofNanos(10_000), MAX_TICK = Duration.ofHours(1);
    /** Far beyond any real deadline, and far from overflowing the epoch counter it is added to. */
    static final long MAX_DEADLINE_TICKS = 1_000_000_000_000_000L;

    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "Interrupt the guest after this long, e.g. 200ms, 2s (1ms to 365d, at least one --tick).")
    String timeout;

    @Option(names = "--epoch-deadline", paramLabel = "TICKS", description = "Interrupt the guest after this many epoch ticks (0 to 10^15).")
    Long deadlineTicks;

    @Option(names = "--tick", paramLabel = "DURATION", description = "Epoch tick period, 10us to 1h (default: ${DEFAULT-VALUE}).")
    String tick = "1ms";

    private Duration tickPeriod;
    private long ticks;

    boolean enabled() { return timeout != null || deadlineTicks != null; }

    EngineConfig config() { return new EngineConfig().epochInterruption(enabled()); }

    /** Parses and checks the options; throws IllegalArgumentException with a message naming the option. */
    void validate() {
        tickPeriod = Values.duration("--tick", tick, MIN_TICK, MAX_TICK);
        if (timeout != null && deadlineTicks != null) {
            throw new IllegalArgumentException("--timeout and --epoch-deadline both set the deadline; give one of them");
        }
        if (deadlineTicks != null) ticks = Values.count("--epoch-deadline", deadlineTicks, 0, MAX_DEADLINE_TICKS);
        if (timeout != null) {
            Duration t = Values.duration("--timeout", timeout, MIN_TIMEOUT, MAX_TIMEOUT);
            if (t.compareTo(tickPeriod) < 0) {
                throw new IllegalArgumentException("--timeout=" + timeout + " is shorter than one --tick (" + tick + ")");
            }
            ticks = t.toNanos() / tickPeriod.toNanos();
        }
    }

    /** Starts the ticker and sets the Store's deadline; returns the ticker to close, or null. */
    EpochTicker start(Engine engine, Store store) {
        if (!enabled()) return null;
        if (tickPeriod == null) validate();
        EpochTicker ticker = EpochTicker.start(engine, tickPeriod);
        store.setEpochDeadline(ticks);
        return ticker;
    }
}
