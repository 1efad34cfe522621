/*
 * The Java-side guest stack walk (Safepoint.backtrace, RuntimeInternals.backtrace),
 * bounded like the trap stub's: guest code can overwrite any saved RBP, so a frame
 * pointer is followed only while it lies in the running call's stack,
 * [STACK_FLOOR - GUEST_STACK_SLACK, ENTRY_FP), is 8-aligned and strictly above the previous one, for at most MAX_FRAMES frames. Every address read is
 * then in the owner thread's mapped stack, so the walk cannot fault (Native.getLong has
 * no bounds checks: a bad address would kill the JVM) and always ends.
 *
 * Callers must be on the owner thread while those frames are live (a safepoint listener,
 * a hook): another thread's stack can change or go away under the walk.
 */
package dev.patchbay;

import dev.patchbay.codegen.vm.VmctxLayout;
import dev.patchbay.internal.sys.Native;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

final class GuestStackWalker {
    private GuestStackWalker() {}

    static final int MAX_FRAMES = 4096;

    /**
     * The frames from `pc` (innermost) outwards along the RBP chain from `fp`, each
     * resolved by `frameAt` (null ends the walk).
     */
    static List<GuestFrame> walk(Vmctx vmctx, long pc, long fp, LongFunction<GuestFrame> frameAt) {
        List<GuestFrame> frames = new ArrayList<>();
        GuestFrame first = frameAt.apply(pc);
        if (first == null) return frames;
        frames.add(first);
        long entry = vmctx.entryFp();
        long floor = vmctx.stackFloor();
        if (Long.compareUnsigned(floor, VmctxLayout.GUEST_STACK_SLACK) < 0) return frames;
        long lo = floor - VmctxLayout.GUEST_STACK_SLACK;
        while (frames.size() < MAX_FRAMES) {
            if (!inStack(fp, lo, entry)) break;
            long next = Native.getLong(fp);
            if (Long.compareUnsigned(next, entry) >= 0 || Long.compareUnsigned(next, fp) <= 0) break;
            GuestFrame f = frameAt.apply(Native.getLong(fp + 8));
            if (f == null) break;
            frames.add(f);
            fp = next;
        }
        return frames;
    }

    /** fp in [lo, entry), 8-aligned: [fp] and [fp + 8] are then readable stack. */
    static boolean inStack(long fp, long lo, long entry) {
        return Long.compareUnsigned(fp, lo) >= 0 && Long.compareUnsigned(fp, entry) < 0 && (fp & 7) == 0;
    }
}
