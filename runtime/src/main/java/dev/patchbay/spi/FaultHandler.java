/*
 * The fault-handling half of the native mechanism (DESIGN.md: the runtime module defines the SPI,
 * the signal-handler module implements it). Every Engine holds one, whatever its site
 * control: it installs the process's SIGSEGV, SIGBUS and SIGTRAP handlers, which turn
 * guest faults (loads and stores through bad pointers, a truncated file mapping, jumps
 * and returns to bad addresses, debugtrap) into Traps and chain every other signal to
 * the handler installed before them. Arming running Stores is the other half
 * (SiteController), and only that half depends on EngineConfig's site control.
 *
 * The core registers each instantiated module copy, with its patch sites, so a fault or
 * an int3 in it can be recognised. A handler that also recognises guest faults outside
 * Patchbay code must validate vmctx addresses against the slabs of
 * dev.patchbay.internal.sys.VmctxMemory (subscribe to hear of them) before reading one.
 */
package dev.patchbay.spi;

/**
 * Turns guest faults into Traps: the half of the native mechanism every {@link
 * dev.patchbay.Engine} holds, whatever its site control. The signal-handler module
 * implements it; the runtime finds it through a {@link FaultHandlerProvider}.
 *
 * <p>The runtime registers each instance's code (on the instantiating thread) and closes
 * the registration when it frees that code. Implementations must be thread-safe.
 */
public interface FaultHandler extends AutoCloseable {
    /**
     * Makes a code region known, so that a fault or an {@code int3} in it is recognised.
     *
     * @param execStart the region's first address (the executable view)
     * @param execEnd the address just past the region
     * @param siteOffsets the region's patch sites, sorted, as offsets from execStart
     * @return a registration, which the runtime closes when the code is freed
     * @throws IllegalStateException if the region cannot be registered (a full registry);
     *         instantiation then fails and leaves nothing behind
     */
    Registration registerCode(long execStart, long execEnd, int[] siteOffsets);

    /** Releases the handler; the last one released uninstalls the signal handlers. */
    @Override void close();

    /** A registered code region, until closed. */
    interface Registration extends AutoCloseable {
        /** Forgets the region; the runtime calls it once, before it unmaps the code. */
        @Override void close();
    }
}
