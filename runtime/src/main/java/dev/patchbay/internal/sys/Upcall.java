/*
 * A native-callable entry into Java: a jffi closure with the fixed C signature
 *   int32 fn(int64 a0, int64 a1, int64 a2, int64 a3)
 * which is all generated code needs (the hostcall dispatcher and, later, hooks).
 *
 * jffi silently drops any exception a closure throws and returns 0 to native code, so
 * the Target must not throw: the wrapper catches every Throwable, hands it to the
 * target's error handler, and returns the error status instead. The jffi handle is kept
 * strongly reachable for the lifetime of this object (a collected handle frees the
 * trampoline page under running code) and is never auto-released.
 */
package dev.patchbay.internal.sys;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Closure;
import com.kenai.jffi.ClosureManager;
import com.kenai.jffi.Type;

/**
 * A native-callable entry into Java with the fixed signature {@code int32 fn(int64, int64, int64,
 * int64)}, for the hostcall dispatcher. It never lets an exception reach native code and keeps its
 * jffi closure alive as long as it is reachable.
 */
public final class Upcall {
    /** The Java side of the upcall. */
    public interface Target {
        int call(long a0, long a1, long a2, long a3) throws Throwable;
    }

    /** Receives anything the target threw; returns the status native code sees. */
    public interface ErrorHandler {
        int onError(long a0, Throwable t);
    }

    private static final CallContext CONTEXT = CallContext.getCallContext(Type.SINT32,
        new Type[] {Type.SINT64, Type.SINT64, Type.SINT64, Type.SINT64}, CallingConvention.DEFAULT, false);

    private final Closure.Handle handle;

    private Upcall(Closure.Handle handle) {
        this.handle = handle;
    }

    public static Upcall create(Target target, ErrorHandler errors) {
        Native.checkPlatform();
        Closure closure = buffer -> {
            long a0 = buffer.getLong(0);
            int status;
            try {
                status = target.call(a0, buffer.getLong(1), buffer.getLong(2), buffer.getLong(3));
            } catch (Throwable t) {
                try {
                    status = errors.onError(a0, t);
                } catch (Throwable again) {
                    status = -1;
                }
            }
            buffer.setIntReturn(status);
        };
        Closure.Handle h = ClosureManager.getInstance().newClosure(closure, CONTEXT);
        h.setAutoRelease(false);
        return new Upcall(h);
    }

    /** The native entry point. */
    public long address() { return handle.getAddress(); }
}
