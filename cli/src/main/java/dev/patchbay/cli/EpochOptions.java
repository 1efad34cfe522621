/*
 * Epoch interruption options for `patchbay run`: --timeout interrupts the guest after a
 * wall-clock time (as ticks of --tick), --epoch-deadline sets the deadline in ticks
 * directly. Either one turns epoch interruption on for the run.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Store;
import dev.patchbay.epoch.EpochTicker;
import picocli.CommandLine.Option;

import java.time.Duration;

final class EpochOptions {
    @Option(names = "--timeout", paramLabel = "DURATION", description = "Interrupt the guest after this long, e.g. 200ms, 2s.")
    String timeout;

    @Option(names = "--epoch-deadline", paramLabel = "TICKS", description = "Interrupt the guest after this many epoch ticks.")
    Long deadlineTicks;

    @Option(names = "--tick", paramLabel = "DURATION", description = "Epoch tick period (default: ${DEFAULT-VALUE}).")
    String tick = "1ms";

    boolean enabled() { return timeout != null || deadlineTicks != null; }

    EngineConfig config() { return new EngineConfig().epochInterruption(enabled()); }

    /** Starts the ticker and sets the Store's deadline; returns the ticker to close, or null. */
    EpochTicker start(Engine engine, Store store) {
        if (!enabled()) return null;
        Duration t = parseDuration(tick);
        long ticks = deadlineTicks != null ? deadlineTicks : Math.max(1, parseDuration(timeout).toNanos() / t.toNanos());
        if (ticks < 0) throw new IllegalArgumentException("--epoch-deadline must be >= 0: " + ticks);
        EpochTicker ticker = EpochTicker.start(engine, t);
        store.setEpochDeadline(ticks);
        return ticker;
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("us")) return Duration.ofNanos(1000 * Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("s")) return Duration.ofMillis(Math.round(1000 * Double.parseDouble(t.substring(0, t.length() - 1))));
            if (t.endsWith("m")) return Duration.ofSeconds(60 * Long.parseLong(t.substring(0, t.length() - 1)));
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("not a duration: '" + s + "' (use e.g. 200ms, 2s, 500us)");
    }
}
