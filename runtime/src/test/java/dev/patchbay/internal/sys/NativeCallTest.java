/*
 * Problem: Native.call(fnAddr, ...) must deliver every argument, at every arity
 * from 0 to 6, in the right register with all 64 bits, and return rax intact; the
 * 6th argument is where jnr-ffi 2.2.17 goes wrong, so it needs proof of its own.
 * Approach: for each arity n, generate "return argument i" for every i < n and
 * "return the sum of the arguments", run them from CodeMemory, and compare.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NativeCallTest {
    // Distinct 64-bit values whose halves differ, including negatives, so a truncated
    // or swapped argument cannot go unnoticed.
    private static final long[] ARGS = {
        0x0102030405060708L, -0x1112131415161718L, 0x7FEDCBA987654321L,
        -1L, 0x8000000000000000L, 0x00000001_00000002L,
    };

    private static CodeMemory code;

    @BeforeAll
    static void allocate() {
        code = CodeMemory.allocate(4096, "native-call-test");
    }

    @AfterAll
    static void release() {
        code.close();
    }

    /** Writes {@code fn} at offset 0 and returns its RX address. */
    private static long load(byte[] fn) {
        code.write(0, fn);
        return code.execBase();
    }

    private static long callWithArity(long fn, int n) {
        long[] a = ARGS;
        switch (n) {
            case 0: return Native.call(fn);
            case 1: return Native.call(fn, a[0]);
            case 2: return Native.call(fn, a[0], a[1]);
            case 3: return Native.call(fn, a[0], a[1], a[2]);
            case 4: return Native.call(fn, a[0], a[1], a[2], a[3]);
            case 5: return Native.call(fn, a[0], a[1], a[2], a[3], a[4]);
            case 6: return Native.call(fn, a[0], a[1], a[2], a[3], a[4], a[5]);
            default: throw new IllegalArgumentException("arity " + n);
        }
    }

    @Test
    void arityZeroReturnsConstant() {
        assertEquals(42, Native.call(load(TinyCode.hex("B8 2A 00 00 00 C3"))));
    }

    @ParameterizedTest(name = "arity {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void everyArgumentArrivesInItsRegister(int n) {
        for (int i = 0; i < n; i++) {
            long fn = load(TinyCode.returnArg(i));
            assertEquals(ARGS[i], callWithArity(fn, n), "arity " + n + ", argument " + i);
        }
    }

    @ParameterizedTest(name = "arity {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void sumOfArguments(int n) {
        long expected = 0;
        for (int i = 0; i < n; i++) {
            expected += ARGS[i];
        }
        assertEquals(expected, callWithArity(load(TinyCode.sumOfArgs(n)), n), "arity " + n);
    }

    @Test
    void sixthArgumentIsReturnedIntact() {
        // mov rax, r9; ret
        long fn = load(TinyCode.hex("4C 89 C8 C3"));
        assertEquals(6, Native.call(fn, 1, 2, 3, 4, 5, 6));
        assertEquals(0xDEADBEEFCAFEBABEL, Native.call(fn, 0, 0, 0, 0, 0, 0xDEADBEEFCAFEBABEL));
    }

    @Test
    void sumOfSixSmallArguments() {
        long fn = load(TinyCode.sumOfArgs(6));
        assertEquals(21, Native.call(fn, 1, 2, 3, 4, 5, 6));
    }

    @Test
    void libcFunctionsCanBeCalledBySymbolAddress() {
        assertEquals(Native.getpid(), Native.call(Native.symbol("getpid")));
        assertEquals(5, Native.call(Native.symbol("labs"), -5));
    }
}
