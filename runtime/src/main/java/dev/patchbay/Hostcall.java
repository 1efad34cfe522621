/*
 * A Java function that guest code can call. It receives the guest's integer arguments
 * (one long each, holding the value's bits) and returns the result (ignored if the
 * import returns nothing). Anything it throws unwinds the guest with a host_error Trap
 * whose cause is the thrown exception.
 */
package dev.patchbay;

@FunctionalInterface
public interface Hostcall {
    long call(Caller caller, long[] args) throws Exception;
}
