/*
 * Engine configuration. Site control: by default the Engine finds a SiteController
 * through ServiceLoader (the signal-handler module provides one); without one, requests
 * to a running Store wait until its owner leaves guest code. Fault handling (the
 * FaultHandler, also from the signal-handler module) is always on. membarrier makes each arming
 * serialise every core (membarrier PRIVATE_EXPEDITED_SYNC_CORE); x86 does not need it for
 * a single-byte int3 write, so it is off by default and measured both ways.
 */
package dev.patchbay;

import dev.patchbay.spi.FaultHandlerProvider;
import dev.patchbay.spi.SiteControllerProvider;

import java.nio.file.Path;

/**
 * The settings of an {@link Engine}: epoch interruption, profile sites, and how running
 * Stores are armed. A mutable builder: each setter returns this config, and {@code new
 * Engine(config)} reads it once. Not thread-safe.
 */
public final class EngineConfig {
    boolean membarrier;
    SiteControllerProvider controllerProvider;
    FaultHandlerProvider faultProvider;
    boolean siteControl = true;
    boolean epochInterruption;
    boolean profiling;
    dev.patchbay.codegen.OptLevel optLevel = dev.patchbay.codegen.OptLevel.NONE;
    int loopAlign;
    boolean threadInterrupts;
    Path perfJitdumpDirectory;
    boolean gdbJit;

    /** The defaults: no epoch interruption, no profile sites, no membarrier, and the site controller ServiceLoader finds. */
    public EngineConfig() {}

    /**
     * Turns epoch interruption on or off (default off), as Wasmtime's {@code
     * epoch_interruption} does: epoch sites then call the deadline machinery ({@link
     * Store#setEpochDeadline}, {@link Store#onEpochDeadline}, {@link Store#interrupt()})
     * instead of the default counting hook. Modules the Engine compiles from source get
     * epoch sites, and {@link Engine#load} refuses code without epoch checks the runtime
     * can trigger. The site controller that arms a running guest's epoch sites comes with
     * the signal-handler artifact; without it {@code new Engine} throws, unless {@link
     * #noSiteController()} says so on purpose, and then source compiles to the CHECK mode.
     *
     * @param on whether epoch interruption is on
     * @return this config
     */
    public EngineConfig epochInterruption(boolean on) {
        this.epochInterruption = on;
        return this;
    }

    /**
     * Gives modules the Engine compiles from source ({@link Module#fromClif}, {@link
     * Module#fromFile}) profile-entry and profile-exit sites, idle until a profiler turns
     * them on. Default off.
     *
     * @param on whether to add profile sites
     * @return this config
     */
    public EngineConfig profiling(boolean on) {
        this.profiling = on;
        return this;
    }

    /**
     * Which IR transformations modules of this Engine are compiled with. {@code NONE}, the
     * default, keeps every call of the IR a call in the code, so profiles count and
     * backtraces show each one; {@code SPEED} also turns self-recursion at the end of a path
     * into a loop (as gcc -O2 does), which a profile and a backtrace then show as one frame.
     *
     * @param level the level
     * @return this config
     * @throws NullPointerException if level is null
     */
    public EngineConfig optLevel(dev.patchbay.codegen.OptLevel level) {
        this.optLevel = java.util.Objects.requireNonNull(level, "optLevel");
        return this;
    }

    /**
     * Aligns every loop header of the code this Engine compiles to a multiple of {@code bytes}
     * (NOPs before it, run once on entry to the loop), as gcc's {@code -falign-loops} does.
     * Off (0) by default. Where a hot loop lands relative to 32- and 64-byte boundaries can
     * change its speed by tens of percent on some CPUs; aligning makes that the same for every
     * build of the same code, which is what a comparison of two builds needs.
     *
     * @param bytes 0 for none, or a power of two up to 64
     * @return this config
     * @throws IllegalArgumentException if bytes is out of range
     */
    public EngineConfig loopAlign(int bytes) {
        dev.patchbay.codegen.CompileOptions.builder().loopAlign(bytes); // the one range check
        this.loopAlign = bytes;
        return this;
    }

    /**
     * Makes every arming of a running Store serialise every core ({@code membarrier
     * PRIVATE_EXPEDITED_SYNC_CORE}). x86 does not need it for a one-byte {@code int3}
     * write, so it is off by default; it is there to measure both ways.
     *
     * @param on whether arming issues the membarrier
     * @return this config
     */
    public EngineConfig membarrier(boolean on) {
        this.membarrier = on;
        return this;
    }

    /**
     * Uses this site controller provider instead of the one {@link java.util.ServiceLoader}
     * finds.
     *
     * @param provider the provider, or null to go back to ServiceLoader's
     * @return this config
     */
    public EngineConfig siteController(SiteControllerProvider provider) {
        this.controllerProvider = provider;
        return this;
    }

    /**
     * Uses this fault handler provider instead of the one {@link java.util.ServiceLoader}
     * finds (the signal-handler module's). Fault handling is not optional: guest faults
     * must become Traps.
     *
     * @param provider the provider
     * @return this config
     * @throws IllegalArgumentException if provider is null
     */
    public EngineConfig faultHandler(FaultHandlerProvider provider) {
        if (provider == null) throw new IllegalArgumentException("fault handler provider is null");
        this.faultProvider = provider;
        return this;
    }

    /**
     * Disables arming altogether: requests to running Stores apply when the owner leaves
     * guest code, and {@link Store#interrupt()} returns false. Guest faults are still
     * caught: fault handling does not depend on it.
     *
     * @return this config
     */
    public EngineConfig noSiteController() {
        this.siteControl = false;
        this.controllerProvider = null;
        return this;
    }

    /**
     * Makes Thread.interrupt() of a Store's owner interrupt its running guest, as
     * store.interrupt() would: the call ends with an `interrupt` Trap whose cause is an
     * InterruptedException, and, as a blocking JDK method does when it throws one, the
     * thread's interrupt status is cleared. A call started on a thread that is already
     * interrupted stops at its first epoch site. A hostcall that throws
     * InterruptedException ends the call with an `interrupt` Trap too, not `host_error`.
     * Thread.interrupt() runs nothing in the target thread, so the Engine's watcher thread
     * polls the owners' interrupt status every millisecond while calls run (and never when
     * none does): expect up to a millisecond more latency than store.interrupt(). Needs
     * epochInterruption(true).
     *
     * @param on whether Thread.interrupt() of an owner interrupts its guest (default off)
     * @return this config
     */
    public EngineConfig interruptOnThreadInterrupt(boolean on) {
        this.threadInterrupts = on;
        return this;
    }

    /**
     * Turns perf support on (default off) with the file in {@code java.io.tmpdir}; see
     * {@link #perfJitdump(Path)}.
     *
     * @param on whether the Engine writes a jitdump file for perf
     * @return this config
     */
    public EngineConfig perfJitdump(boolean on) {
        this.perfJitdumpDirectory = on ? Path.of(System.getProperty("java.io.tmpdir")) : null;
        return this;
    }

    /**
     * Turns perf support on, writing {@code jit-PID.dump} in {@code directory} (created if
     * missing) in the jitdump format of {@code perf inject --jit}: one record per function
     * of every module each Store instantiates, at that Store's own addresses. Record with
     * {@code perf record -k 1} (the records carry CLOCK_MONOTONIC times), then {@code perf
     * inject --jit -i perf.data -o perf.jit.data}; perf inject writes one small ELF file per
     * record next to the dump. Engines of one process with the same directory share the
     * file; the last one closed ends it.
     *
     * @param directory where the jitdump file goes
     * @return this config
     * @throws IllegalArgumentException if directory is null
     */
    public EngineConfig perfJitdump(Path directory) {
        if (directory == null) throw new IllegalArgumentException("perf jitdump directory is null");
        this.perfJitdumpDirectory = directory;
        return this;
    }

    /**
     * Turns gdb support on (default off): every module each Store instantiates is
     * registered with gdb's JIT interface ({@code __jit_debug_register_code}) as an ELF
     * object in memory with a symbol per function, trampoline and stub at that Store's own
     * addresses and DWARF call frame information for each, so {@code gdb -p PID} then
     * {@code bt} names guest frames and unwinds through them to the host. A Store's objects
     * are unregistered when it closes. The first Engine with gdb support writes a small
     * shared object that exports the two symbols gdb looks for into a private directory
     * under {@code java.io.tmpdir} and loads it; it is deleted when the JVM exits.
     *
     * @param on whether the Engine registers code with gdb
     * @return this config
     */
    public EngineConfig gdbJit(boolean on) {
        this.gdbJit = on;
        return this;
    }
}
