/*
 * What a hostcall knows about its caller: the Store and the Instance whose guest code
 * called it. A hostcall may call back into the guest through them (guest → host → guest).
 */
package dev.patchbay;

public final class Caller {
    private final Instance instance;

    Caller(Instance instance) {
        this.instance = instance;
    }

    public Store store() { return instance.store(); }

    public Instance instance() { return instance; }
}
