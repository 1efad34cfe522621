/*
 * call_indirect compares a callee's signature with the one it expects as one integer. Two
 * modules' types are the same signature exactly when their parameter and result lists are
 * equal, so the id is interned process-wide: the same FuncType gets the same id in every
 * module and Store, and ids are compiled into code as constants.
 *
 * Invariant: ids start at 1 and never change or get reused; 0 is no signature.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.wasm.FuncType;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Process-wide canonical ids of function types, for call_indirect's signature check. */
public final class SignatureIds {
    private static final ConcurrentHashMap<FuncType, Integer> IDS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private SignatureIds() {}

    /**
     * @param type a function type
     * @return its id, the same for every equal type
     */
    public static int of(FuncType type) {
        return IDS.computeIfAbsent(type, t -> NEXT.getAndIncrement());
    }
}
