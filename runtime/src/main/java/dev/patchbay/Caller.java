/*
 * What a hostcall knows about its caller: the Store and the Instance whose guest code
 * called it. A hostcall may call back into the guest through them (guest → host → guest).
 */
package dev.patchbay;

/**
 * What a {@link Hostcall} knows about its caller: the Store and the Instance whose guest
 * code called it. Through them a hostcall may call back into the guest (guest, host,
 * guest), on the same thread. Valid while the hostcall runs.
 */
public final class Caller {
    private final Instance instance;

    Caller(Instance instance) {
        this.instance = instance;
    }

    /**
     * The Store whose guest called.
     *
     * @return the Store
     * @throws IllegalStateException if the Store is closed
     */
    public Store store() { return instance.store(); }

    /**
     * The instance whose code holds the calling guest function.
     *
     * @return the instance
     */
    public Instance instance() { return instance; }
}
