/*
 * The lowest stack address guest code may reach on the calling thread: the bottom of the
 * thread's native stack plus a reserve for the JVM (its guard and shadow zones, and the
 * frames of any Java a hostcall runs).
 *
 * Problem: a platform thread keeps one native stack for life, so its floor can be
 * computed once. A virtual thread runs on whichever carrier mounts it, and each carrier
 * has its own stack: a floor cached from the first carrier is wrong on the next one, so
 * checked calls either trap stk_ovf spuriously or run past the real stack's end into the
 * carrier's guard pages, where the kernel kills the process. A virtual thread cannot move
 * during a guest call (the native frames pin it), so the floor is computed once per
 * outermost call for virtual threads, from the carrier's stack as it is then: right
 * before the native call, after the last point where the thread can block and unmount
 * (StoreCore.invokeOwned; waiting for the Store's lock at the call's start is one).
 */
package dev.patchbay;

import dev.patchbay.internal.sys.Native;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

final class StackFloor {
    /**
     * Stack kept free below the guest: HotSpot's guard zones (red, yellow, reserved) and its
     * shadow zone, which Java code called from a hostcall needs, are a few dozen pages;
     * this leaves room for them and for the hostcall's own frames.
     */
    static final long JVM_STACK_RESERVE = 256 * 1024;

    private static final ThreadLocal<Long> PLATFORM = ThreadLocal.withInitial(StackFloor::compute);
    /** Thread.isVirtual (JDK 21+), or null on JDKs without virtual threads. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private StackFloor() {}

    /** The floor for the calling thread's current native stack. */
    static long current() {
        return isVirtual(Thread.currentThread()) ? compute() : PLATFORM.get();
    }

    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) return false;
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    private static long compute() {
        long[] b = Native.threadStackBounds();
        return b[0] + JVM_STACK_RESERVE;
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
