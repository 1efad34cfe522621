/*
 * A Java function that guest code can call. It receives the guest's integer arguments
 * (one long each, holding the value's bits) and returns the result (ignored if the
 * import returns nothing). An import with several results cannot be bound to one: Store
 * refuses it (Wasm host functions with several results bind through MultiValueHostcall). Anything it throws unwinds the guest with a host_error Trap
 * whose cause is the thrown exception.
 */
package dev.patchbay;

/**
 * A Java function that guest code calls through an import, defined with {@link
 * Linker#define}. It runs on the guest's thread, the Store's owner.
 *
 * <p>Anything it throws unwinds the guest with a {@code host_error} {@link Trap} whose
 * cause is the exception; an {@link InterruptedException} caused by {@link
 * Store#interrupt()} is an INTERRUPT Trap instead.
 */
@FunctionalInterface
public interface Hostcall {
    /**
     * Runs the hostcall.
     *
     * @param caller the Store and Instance that called
     * @param args the guest's arguments, one long each holding the value's bits (narrow
     *             integers sign-extended, an f32 zero-extended: exactly its 32 bits)
     * @return the result's bits; ignored if the import returns nothing
     * @throws Exception anything, which unwinds the guest as described above
     */
    long call(Caller caller, long[] args) throws Exception;
}
