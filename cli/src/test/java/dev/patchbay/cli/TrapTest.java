/*
 * Every kind of trap, end to end: compiled code must throw Trap with the right TrapCode,
 * its backtrace must name the trapping function innermost (and, when the trap happens two
 * calls deep, exactly the chain inner, middle, outer), and the Store must stay usable: a
 * normal call right after each trap returns the right value. Run lines cannot expect a
 * trap, so this is where the trapping side of traps.clif lives.
 *
 * Each case builds a three-function chain around one trapping instruction and calls both
 * the innermost function and the outer one. The interpreter runs the same module and
 * must report the same trap code and the same chain of function names, so the test also
 * checks the reference against the backend on every trap.
 *
 * All cases share one Store on purpose: traps must not leave state behind that breaks
 * the next call. Stack overflow gets its own Store with a small stack limit.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.interp.InterpreterTrap;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrapTest {
    private static final String[] TYPES = {"i8", "i16", "i32", "i64"};
    private static Engine engine;
    private static Store store;

    @BeforeAll
    static void open() {
        engine = new Engine();
        store = new Store(engine);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static long min(String t) {
        switch (t) {
            case "i8": return Byte.MIN_VALUE;
            case "i16": return Short.MIN_VALUE;
            case "i32": return Integer.MIN_VALUE;
            default: return Long.MIN_VALUE;
        }
    }

    /**
     * A module where %inner runs `body` on (v0, v1) of type t (defining v2, which it
     * returns), %middle calls it and %outer calls %middle, each doing work after the call so
     * it is a real frame; %ok is the normal function called after every trap.
     */
    private static String chain(String t, String body) {
        return "function %inner(" + t + ", " + t + ") -> " + t + " {\n"
            + "block0(v0: " + t + ", v1: " + t + "):\n"
            + "    " + body + "\n"
            + "    return v2\n"
            + "}\n\n"
            + "function %middle(" + t + ", " + t + ") -> " + t + " {\n"
            + "    fn0 = %inner(" + t + ", " + t + ") -> " + t + "\n"
            + "block0(v0: " + t + ", v1: " + t + "):\n"
            + "    v2 = call fn0(v0, v1)\n"
            + "    v3 = iadd_imm v2, 1\n"
            + "    return v3\n"
            + "}\n\n"
            + "function %outer(" + t + ", " + t + ") -> " + t + " {\n"
            + "    fn0 = %middle(" + t + ", " + t + ") -> " + t + "\n"
            + "block0(v0: " + t + ", v1: " + t + "):\n"
            + "    v2 = call fn0(v0, v1)\n"
            + "    v3 = iadd_imm v2, 2\n"
            + "    return v3\n"
            + "}\n\n"
            + "function %ok(i64) -> i64 {\n"
            + "block0(v0: i64):\n"
            + "    v1 = imul_imm v0, 3\n"
            + "    return v1\n"
            + "}\n";
    }

    /** A fresh parse per use: compilation instruments functions in place. */
    private static List<Function> parse(String clif) {
        return ClifParser.parse("trap-test.clif", clif).functions();
    }

    private static Instance instantiate(Store s, String clif) {
        return s.instantiate(engine.load(Compiler.compile(parse(clif), CompileOptions.defaults())));
    }

    private static List<String> names(Trap t) {
        return t.backtrace().stream().map(GuestFrame::function).collect(Collectors.toList());
    }

    /** Calls inner and outer; both must trap with `code`, with exactly the expected frames. */
    private static void assertTraps(String clif, TrapCode code, long a, long b) {
        Instance inst = instantiate(store, clif);
        Interpreter interp = new Interpreter(parse(clif));
        String[][] cases = {{"inner"}, {"inner", "middle", "outer"}};
        for (String[] chain : cases) {
            String entry = chain[chain.length - 1];
            Trap t = assertThrows(Trap.class, () -> inst.func(entry).call(a, b), entry + " should trap\n" + clif);
            assertEquals(code, t.code(), t.getMessage());
            assertEquals(List.of(chain), names(t), t.formatBacktrace());
            InterpreterTrap it = assertThrows(InterpreterTrap.class, () -> interp.call(entry, a, b));
            assertEquals(code, it.code(), it.getMessage());
            assertEquals(List.of(chain), it.backtrace());
            // The Store survives the trap: a normal call right after it works.
            assertArrayEquals(new long[] {21}, inst.func("ok").call(7));
        }
    }

    /** The same module on arguments that must not trap: compiled and interpreted results agree. */
    private static void assertNoTrap(String clif, long a, long b, long expectedInner) {
        Instance inst = instantiate(store, clif);
        Interpreter interp = new Interpreter(parse(clif));
        assertArrayEquals(new long[] {expectedInner}, inst.func("inner").call(a, b), clif);
        assertArrayEquals(new long[] {expectedInner}, interp.call("inner", a, b), clif);
        long[] outer = inst.func("outer").call(a, b);
        assertArrayEquals(interp.call("outer", a, b), outer, clif);
    }

    // ---- trap, trapz, trapnz ----

    static Stream<Arguments> trapCodes() {
        return Stream.of("user0", "user1", "user42", "user255", "unreachable", "heap_oob", "int_ovf", "int_divz",
            "bad_sig", "bad_toint", "stk_ovf", "interrupt").map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("trapCodes")
    void trapRaisesItsCode(String code) {
        // Taken only when v0 != v1, so the module also has a non-trapping path.
        String body = "v2 = isub v0, v1\n    brif v2, block1, block2\n\nblock1:\n    trap " + code + "\n\nblock2:";
        String clif = chain("i64", body);
        assertTraps(clif, TrapCode.parse(code), 5, 3);
        assertNoTrap(clif, 4, 4, 0);
    }

    static Stream<Arguments> types() {
        return Stream.of(TYPES).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("types")
    void trapzTrapsOnZeroAtEveryWidth(String t) {
        String clif = chain(t, "v2 = band v0, v1\n    trapz v2, user5");
        assertTraps(clif, TrapCode.user(5), 0x0F, 0x30);
        assertTraps(clif, TrapCode.user(5), 0, -1);
        assertNoTrap(clif, min(t), -1, min(t));
    }

    @ParameterizedTest
    @MethodSource("types")
    void trapnzTrapsOnNonZeroAtEveryWidth(String t) {
        String clif = chain(t, "v2 = bxor v0, v1\n    trapnz v2, user6");
        assertTraps(clif, TrapCode.user(6), min(t), 0);
        assertTraps(clif, TrapCode.user(6), 1, 0);
        assertNoTrap(clif, -1, -1, 0);
    }

    @Test
    void trapnzOnAnIcmpResult() {
        String clif = chain("i32", "v2 = iadd v0, v1\n    v3 = icmp_imm sgt v2, 100\n    trapnz v3, user7");
        assertTraps(clif, TrapCode.user(7), 100, 1);
        assertNoTrap(clif, 99, 1, 100);
    }

    // ---- division ----

    static Stream<Arguments> divisions() {
        List<Arguments> out = new ArrayList<>();
        for (String op : new String[] {"udiv", "sdiv", "urem", "srem"}) for (String t : TYPES) out.add(Arguments.of(op, t));
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("divisions")
    void divisionByZeroTrapsAtEveryWidth(String op, String t) {
        String clif = chain(t, "v2 = " + op + " v0, v1");
        assertTraps(clif, TrapCode.INTEGER_DIVISION_BY_ZERO, 7, 0);
        assertTraps(clif, TrapCode.INTEGER_DIVISION_BY_ZERO, min(t), 0);
        assertTraps(clif, TrapCode.INTEGER_DIVISION_BY_ZERO, 0, 0);
    }

    @ParameterizedTest
    @MethodSource("divisions")
    void immediateDivisionByZeroTraps(String op, String t) {
        String clif = chain(t, "v2 = " + op + "_imm v0, 0");
        assertTraps(clif, TrapCode.INTEGER_DIVISION_BY_ZERO, 7, 0);
    }

    @ParameterizedTest
    @MethodSource("types")
    void signedDivisionOverflowTrapsAtEveryWidth(String t) {
        String clif = chain(t, "v2 = sdiv v0, v1");
        assertTraps(clif, TrapCode.INTEGER_OVERFLOW, min(t), -1);
        assertNoTrap(clif, min(t), 1, min(t));
        assertNoTrap(clif, min(t) + 1, -1, -(min(t) + 1));
        String imm = chain(t, "v2 = sdiv_imm v0, -1");
        assertTraps(imm, TrapCode.INTEGER_OVERFLOW, min(t), 0);
        assertNoTrap(imm, 5, 0, -5);
    }

    @ParameterizedTest
    @MethodSource("types")
    void signedRemainderOfMinByMinusOneIsZero(String t) {
        assertNoTrap(chain(t, "v2 = srem v0, v1"), min(t), -1, 0);
        assertNoTrap(chain(t, "v2 = srem_imm v0, -1"), min(t), 0, 0);
        // Division by zero still wins over the MIN / -1 special case.
        assertTraps(chain(t, "v2 = srem v0, v1"), TrapCode.INTEGER_DIVISION_BY_ZERO, min(t), 0);
    }

    // ---- uadd_overflow_trap ----

    @ParameterizedTest
    @MethodSource("overflowTrapTypes")
    void uaddOverflowTrapRaisesItsCode(String t) {
        String clif = chain(t, "v2 = uadd_overflow_trap v0, v1, user9");
        assertTraps(clif, TrapCode.user(9), -1, 1);
        assertTraps(clif, TrapCode.user(9), min(t), min(t));
        assertNoTrap(clif, -2, 1, -1);
        String heap = chain(t, "v2 = uadd_overflow_trap v0, v1, heap_oob");
        assertTraps(heap, TrapCode.HEAP_OUT_OF_BOUNDS, -1, -1);
    }

    static Stream<Arguments> overflowTrapTypes() {
        return Stream.of("i32", "i64").map(Arguments::of);
    }

    // ---- stack overflow ----

    private static final String RECURSION =
        "function %down(i64) -> i64 {\n"
        + "    fn0 = %down(i64) -> i64\n"
        + "block0(v0: i64):\n"
        + "    brif v0, block1, block2\n"
        + "\n"
        + "block1:\n"
        + "    v1 = iadd_imm v0, -1\n"
        + "    v2 = call fn0(v1)\n"
        + "    v3 = iadd v2, v0\n"
        + "    return v3\n"
        + "\n"
        + "block2:\n"
        + "    return v0\n"
        + "}\n\n"
        + "function %forever(i64) -> i64 {\n"
        + "    fn0 = %forever(i64) -> i64\n"
        + "block0(v0: i64):\n"
        + "    v1 = iadd_imm v0, 1\n"
        + "    v2 = call fn0(v1)\n"
        + "    v3 = iadd v2, v0\n"
        + "    return v3\n"
        + "}\n";

    @Test
    void unboundedRecursionTrapsWithStackOverflow() {
        try (Store s = new Store(engine)) {
            s.setStackLimit(64 * 1024);
            Instance inst = instantiate(s, RECURSION);
            for (int round = 0; round < 20; round++) {
                Trap t = assertThrows(Trap.class, () -> inst.func("forever").call(0));
                assertEquals(TrapCode.STACK_OVERFLOW, t.code(), t.getMessage());
                List<String> bt = names(t);
                assertTrue(!bt.isEmpty() && bt.stream().allMatch("forever"::equals), t.formatBacktrace());
                // Usable afterwards, including for recursion that fits the limit.
                assertArrayEquals(new long[] {5050}, inst.func("down").call(100));
            }
            // Bounded recursion that does not fit traps too, and the Store still recovers.
            Trap deep = assertThrows(Trap.class, () -> inst.func("down").call(1_000_000));
            assertEquals(TrapCode.STACK_OVERFLOW, deep.code());
            assertArrayEquals(new long[] {55}, inst.func("down").call(10));
        }
        Interpreter interp = new Interpreter(parse(RECURSION)).setMaxCallDepth(1000);
        InterpreterTrap it = assertThrows(InterpreterTrap.class, () -> interp.call("forever", 0));
        assertEquals(TrapCode.STACK_OVERFLOW, it.code());
        assertEquals(1001, it.backtrace().size());
        assertArrayEquals(new long[] {5050}, interp.call("down", 100));
    }
}
