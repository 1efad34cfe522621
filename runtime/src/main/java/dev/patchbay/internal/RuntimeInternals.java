/*
 * The runtime's internal API: what the profiler, the signal handlers and Patchbay's own
 * tests need of a Store and an Instance that no user should: raw addresses (the vmctx,
 * the code), native hooks, and stack walks from a PC and frame pointer. They used to be
 * public methods of Store and Instance; here they are out of the public API, and the
 * runtime's module descriptor exports this package only to Patchbay's own modules.
 *
 * Approach: the implementation needs Store's package-private internals, which a class in
 * another package cannot see. dev.patchbay installs an Access implementation here when
 * Store is initialised (StoreInternalAccess); this class forces that initialisation before
 * its first use, and accepts exactly one installation, so nothing else can replace it.
 */
package dev.patchbay.internal;

import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.SiteKind;

import java.util.List;

/**
 * Not API: the runtime's internals for Patchbay's own modules (the profiler, the signal
 * handlers) and tests. The methods deal in raw native addresses and native code; wrong
 * arguments can crash the JVM. They may change in any release. On the module path, the
 * package is exported only to {@code dev.patchbay.profiler} and {@code dev.patchbay.signal}.
 */
public final class RuntimeInternals {
    /** How dev.patchbay implements the methods below; installed once, by Store. */
    public interface Access {
        /** @see RuntimeInternals#vmctxAddress(Store) */
        long vmctxAddress(Store store);

        /** @see RuntimeInternals#setHook(Store, SiteKind, long) */
        void setHook(Store store, SiteKind kind, long nativeAddress);

        /** @see RuntimeInternals#backtrace(Store, long, long) */
        List<GuestFrame> backtrace(Store store, long pc, long fp);

        /** @see RuntimeInternals#frameAt(Store, long) */
        GuestFrame frameAt(Store store, long pc);

        /** @see RuntimeInternals#codeAddress(Instance) */
        long codeAddress(Instance instance);

        /** @see RuntimeInternals#wasm(Module) */
        dev.patchbay.wasm.translate.TranslatedModule wasm(dev.patchbay.Module module);
    }

    // No initialiser: Store's initialisation, which the static block below may trigger,
    // sets the field from within this class's own initialisation.
    private static volatile Access access;

    static {
        try {
            Class.forName(Store.class.getName(), true, Store.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RuntimeInternals() {}

    /**
     * Installs the implementation; only dev.patchbay.Store calls this, once.
     *
     * @param a the implementation
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Access a) {
        if (access != null) throw new IllegalStateException("the runtime's internal access is installed already");
        access = a;
    }

    private static Access access() {
        Access a = access;
        if (a == null) throw new IllegalStateException("the runtime's internal access is not installed");
        return a;
    }

    /**
     * The address of the Store's native vmctx, for native hooks that keep per-Store state
     * next to it (generated code has it in R15).
     *
     * @param store an open Store
     * @return the vmctx address
     * @throws IllegalStateException if the Store is closed
     */
    public static long vmctxAddress(Store store) { return access().vmctxAddress(store); }

    /**
     * Points the hook of a site kind at native code: {@code hook(vmctx, returnAddress, guestFp)}
     * returning 0 to resume or non-zero (after setting a trap code) to unwind. The default
     * hooks count hits ({@link Store#hookHits}). Owner thread, or any thread while the Store
     * is idle; the code must stay mapped while any of the Store's sites of that kind can call it.
     *
     * @param store an open Store
     * @param kind the site kind whose hook to set
     * @param nativeAddress the hook's entry point, or 0 to restore the default counting hook
     * @throws IllegalStateException if the Store is closed
     * @throws IllegalArgumentException for the EPOCH hook of an Engine with epoch
     *         interruption, which belongs to the runtime
     */
    public static void setHook(Store store, SiteKind kind, long nativeAddress) { access().setHook(store, kind, nativeAddress); }

    /**
     * Walks the guest stack from a PC and frame pointer (as a hook sees them) up to the entry
     * frame, bounded to the running call's stack. Only the owner thread, while those frames
     * are live, gets frames; any other thread gets an empty list.
     *
     * @param store an open Store
     * @param pc an absolute PC in the Store's code
     * @param fp the guest frame pointer at that PC
     * @return the frames, innermost first
     * @throws IllegalStateException if the Store is closed
     */
    public static List<GuestFrame> backtrace(Store store, long pc, long fp) { return access().backtrace(store, pc, fp); }

    /**
     * The guest function containing an absolute PC.
     *
     * @param store an open Store
     * @param pc an absolute PC
     * @return the function and the PC's offset in it, or null if no function of the Store holds it
     * @throws IllegalStateException if the Store is closed
     */
    public static GuestFrame frameAt(Store store, long pc) { return access().frameAt(store, pc); }

    /**
     * The address of an instance's executable code (its RX view); the module's code offsets
     * are relative to it.
     *
     * @param instance an instance of an open Store
     * @return the code's start address
     * @throws IllegalStateException if the Store is closed
     */
    public static long codeAddress(Instance instance) { return access().codeAddress(instance); }

    /**
     * A module's Wasm translation, for the debugger's view of Wasm locals.
     *
     * @param module a module
     * @return its translation, or null if it was not compiled from Wasm
     */
    public static dev.patchbay.wasm.translate.TranslatedModule wasm(dev.patchbay.Module module) { return access().wasm(module); }
}
