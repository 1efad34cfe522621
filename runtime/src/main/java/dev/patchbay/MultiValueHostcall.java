/*
 * A hostcall that returns any number of results: how a Wasm host function with several
 * results (multi-value) is bound to its import. The public Hostcall returns one long, which
 * is all a CLIF import through a Linker gets; an import with more results needs this, and
 * Store.instantiate refuses one bound to a plain Hostcall, since its other results would be
 * whatever the value buffer held.
 *
 * Invariant: the dispatcher writes exactly the import's results into the value buffer
 * (vm/HostcallBuffer); an array of another length is a host error, never a short or long
 * write.
 */
package dev.patchbay;

interface MultiValueHostcall extends Hostcall {
    /**
     * Runs the hostcall.
     *
     * @param caller the Store and Instance that called
     * @param args the guest's arguments' bits, one per parameter
     * @return the results' bits, one per result of the import
     * @throws Exception anything, which unwinds the guest with a host_error Trap
     */
    long[] callMultiValue(Caller caller, long[] args) throws Exception;

    @Override
    default long call(Caller caller, long[] args) throws Exception {
        long[] r = callMultiValue(caller, args);
        return r.length == 0 ? 0 : r[0];
    }
}
