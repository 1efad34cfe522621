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

public interface FaultHandler extends AutoCloseable {
    /**
     * Makes a code region known. `siteOffsets` are the region's patch sites, sorted, as
     * offsets from `execStart`. The returned registration is closed when the code is freed.
     */
    Registration registerCode(long execStart, long execEnd, int[] siteOffsets);

    /** Releases the handler; the last one released uninstalls the signal handlers. */
    @Override void close();

    interface Registration extends AutoCloseable {
        @Override void close();
    }
}
