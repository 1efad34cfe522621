/*
 * Breakpoint conditions, hit conditions and logpoint messages on real guests: every count
 * is checked against what the program itself computes (the loop counter at each stop, the
 * program's own count of the runs of a line), conditions that cannot be evaluated stop and
 * say why, and options that do not parse fail the edit, naming the column, changing
 * nothing.
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.EpochMode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.patchbay.debug.DebuggerTest.SPIN;
import static dev.patchbay.debug.DebuggerTest.THIRDS;
import static dev.patchbay.debug.DebuggerTest.assertPristine;
import static dev.patchbay.debug.DebuggerTest.compile;
import static dev.patchbay.debug.DebuggerTest.sum;
import static org.junit.jupiter.api.Assertions.*;

class DebuggerConditionsTest {
    /** What one stop saw: its breakpoint's hit count, the loop counter v2, the sum v3, the problem. */
    record Seen(long hit, long v2, long v3, String problem) {}

    static long value(StopEvent e, String name) {
        for (Variable v : e.variables(0)) {
            if (v.name().equals(name)) {
                assertTrue(v.available(), name + " is available at the stop: " + v);
                return v.value();
            }
        }
        throw new AssertionError("no " + name + " in " + e.variables(0));
    }

    /** Runs %spin(n) with one breakpoint on line 6 (v2 = i, v3 = sum(i) there) and returns the stops. */
    static List<Seen> spin(long n, BreakpointOptions options) {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            List<Seen> seen = new ArrayList<>();
            dbg.onStop(e -> {
                boolean ok = e.conditionProblem() == null;
                seen.add(new Seen(e.breakpoint().hits(), ok ? value(e, "v2") : -1, ok ? value(e, "v3") : -1, e.conditionProblem()));
                return DebugAction.CONTINUE;
            });
            Breakpoint bp = dbg.edit().add(Location.line(6), options).apply().get(0);
            assertEquals(options, bp.options());
            assertEquals(sum(n), inst.func("spin").call(n)[0], "the stops leave the result exact");
            assertEquals(n, bp.hits(), "every run of the line counts, stopped or not");
            dbg.edit().removeAll().apply();
            assertPristine(inst);
            return seen;
        }
    }

    @Test
    void aConditionStopsExactlyWhereItHoldsOverTheValuesTheStopShows() {
        long n = 200;
        List<Seen> seen = spin(n, BreakpointOptions.builder().condition("v2 % 7 == 3 && v3 > 10").build());
        List<Long> want = new ArrayList<>();
        for (long i = 0; i < n; i++) if (i % 7 == 3 && sum(i) > 10) want.add(i);
        assertEquals(want, seen.stream().map(Seen::v2).collect(Collectors.toList()), "the loop counter at each stop");
        for (Seen s : seen) {
            assertEquals(s.v2() + 1, s.hit(), "hit k is iteration k-1");
            assertEquals(sum(s.v2()), s.v3());
            assertNull(s.problem());
        }
    }

    @Test
    void operatorsHaveCsPrecedence() {
        // Each pair differs only in parentheses that C's precedence makes redundant, or not.
        long n = 40;
        Function<String, List<Long>> at = c -> spin(n, BreakpointOptions.builder().condition(c).build())
            .stream().map(Seen::v2).collect(Collectors.toList());
        assertEquals(at.apply("(v2 + 2 * 3) == 16"), at.apply("v2 + 2 * 3 == 16"));
        assertEquals(List.of(10L), at.apply("v2 + 2 * 3 == 16"));
        assertEquals(List.of(24L), at.apply("(v2 + 2) * 3 == 78"));
        assertEquals(List.of(0L, 8L, 16L, 24L, 32L), at.apply("(v2 & 7) == 0"), "& binds looser than ==");
        assertEquals(List.of(), at.apply("v2 & 7 == 0"), "v2 & (7 == 0) is v2 & 0, never true, as in C");
        assertEquals(List.of(1L, 2L, 3L, 39L), at.apply("v2 > 0 && v2 < 4 || v2 == 39"));
        assertEquals(List.of(3L), at.apply("v2 == (v2 > 2 ? 3 : 100)"));
        assertEquals(List.of(20L), at.apply("-v2 + 40 == 20 && !(v2 == 0) && ~v2 == -21"));
        assertEquals(List.of(5L), at.apply("v2 << 2 == 20 && v2 >> 1 == 2 && (v2 ^ 1) == 4 && (v2 | 2) == 7"));
        assertEquals(List.of(17L), at.apply("v2 == 0x11 && true && !false"));
    }

    @Test
    void hitConditionsCountLikeVsCodesJavaScriptDebugger() {
        long n = 20;
        Map<String, List<Long>> want = Map.of(
            "5", List.of(5L),
            "==5", List.of(5L),
            ">=18", List.of(18L, 19L, 20L),
            ">18", List.of(19L, 20L),
            "<3", List.of(1L, 2L),
            "<=2", List.of(1L, 2L),
            "%7", List.of(7L, 14L),
            " >= 19 ", List.of(19L, 20L));
        for (Map.Entry<String, List<Long>> w : want.entrySet()) {
            List<Seen> seen = spin(n, BreakpointOptions.builder().hitCondition(w.getKey()).build());
            assertEquals(w.getValue(), seen.stream().map(Seen::hit).collect(Collectors.toList()), "hit condition `" + w.getKey() + "`");
        }
    }

    @Test
    void aHitConditionCountsTheHitsWhereTheConditionHeld() {
        // Even i only; every third of those: i = 4, 10, 16, ...
        List<Seen> seen = spin(40, BreakpointOptions.builder().condition("v2 % 2 == 0").hitCondition("%3").build());
        assertEquals(List.of(4L, 10L, 16L, 22L, 28L, 34L), seen.stream().map(Seen::v2).collect(Collectors.toList()));
    }

    @Test
    void aLogpointMessageInterpolatesValuesAndNeverStops() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("thirds.clif", THIRDS, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            List<LogpointMessage> got = new ArrayList<>();
            List<Thread> on = new ArrayList<>();
            dbg.onLogpoint(m -> {
                got.add(m);
                on.add(Thread.currentThread());
            });
            dbg.onStop(e -> fail("a logpoint never stops: " + e.breakpoint()));
            // Line 9 runs for the i with i % 3 == 0; v3 counts them so far, v2 is i.
            Breakpoint lp = dbg.edit().add(Location.line(9), BreakpointOptions.builder().logMessage("count {v3 + 1} at i={v2}, {{braces}}").build()).apply().get(0);
            assertTrue(lp.isLogpoint());
            long counted = inst.func("thirds").call(3000)[0];
            assertEquals(1000, counted);
            assertEquals(counted, got.size(), "one message per run of the line, as the program counts them");
            assertEquals(counted, lp.hits());
            for (int k = 0; k < got.size(); k++) {
                assertEquals("count " + (k + 1) + " at i=" + 3 * k + ", {braces}", got.get(k).text());
                assertEquals(k + 1, got.get(k).hit());
                assertSame(lp, got.get(k).breakpoint());
                assertSame(Thread.currentThread(), on.get(k), "on the owner thread");
            }
            // A condition and a hit condition on a logpoint filter its messages the same way.
            dbg.edit().removeAll().add(Location.line(9), BreakpointOptions.builder().condition("v2 >= 300").hitCondition("%10").logMessage("{v2}").build()).apply();
            got.clear();
            inst.func("thirds").call(3000);
            List<String> want = new ArrayList<>();
            for (int i = 300, c = 0; i < 3000; i += 3) if (++c % 10 == 0) want.add(Integer.toString(i));
            assertEquals(want, got.stream().map(LogpointMessage::text).collect(Collectors.toList()));
            // A value the message cannot have is said so in the message, and the guest goes on.
            dbg.edit().removeAll().add(Location.line(9), BreakpointOptions.builder().logMessage("{v99} {1 / (v2 - v2)}").build()).apply();
            got.clear();
            assertEquals(1, inst.func("thirds").call(2)[0]);
            assertEquals(List.of("<v99 is not a value of this function> <division by zero>"), got.stream().map(LogpointMessage::text).collect(Collectors.toList()));
            // A consumer that throws is logged and the guest still finishes.
            dbg.onLogpoint(m -> {
                throw new IllegalStateException("consumer bug");
            });
            assertEquals(1000, inst.func("thirds").call(3000)[0]);
            dbg.edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void aConditionThatCannotBeEvaluatedStopsAndSaysWhy() {
        List<Seen> unknown = spin(5, BreakpointOptions.builder().condition("v99 > 0").build());
        assertEquals(5, unknown.size(), "every hit stops: the condition never decides");
        assertTrue(unknown.get(0).problem().contains("v99 is not a value of this function"), unknown.get(0).problem());
        assertTrue(unknown.get(0).problem().contains("v99 > 0"), "names the condition: " + unknown.get(0).problem());

        List<Seen> zero = spin(5, BreakpointOptions.builder().condition("v3 / v2 > 100").build());
        assertEquals(1, zero.size(), "i = 0 divides by zero and stops; 1..4 decide false: " + zero);
        assertTrue(zero.get(0).problem().contains("division by zero"), zero.get(0).problem());
        assertEquals(1, zero.get(0).hit());
        assertEquals(List.of(), spin(5, BreakpointOptions.builder().condition("v2 != 0 && v3 / v2 > 100").build()),
            "&& evaluates its right side only when the left holds, as in C");

        // A value that is not live at the stop: found at a stop, then named in a condition.
        List<String> out = new ArrayList<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            store.debugger().onStop(e -> {
                for (Variable v : e.variables(0)) if (!v.available() && out.isEmpty()) out.add(v.name());
                return DebugAction.CONTINUE;
            });
            store.debugger().edit().add(Location.line(6), BreakpointOptions.builder().hitCondition("1").build()).apply();
            inst.func("spin").call(3);
        }
        assertFalse(out.isEmpty(), "some value of %spin is optimized out at line 6");
        List<Seen> gone = spin(3, BreakpointOptions.builder().condition(out.get(0) + " == 1").build());
        assertEquals(3, gone.size());
        assertTrue(gone.get(0).problem().contains(out.get(0) + " is optimized out here"), gone.get(0).problem());
    }

    @Test
    void optionsThatDoNotParseFailTheEditNamingTheColumnAndChangeNothing() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            Breakpoint kept = dbg.edit().add(Location.line(7)).apply().get(0);
            Map<BreakpointOptions, String> bad = Map.of(
                BreakpointOptions.builder().condition("v3 >").build(), "at column 5, expected a value",
                BreakpointOptions.builder().condition("(v3 > 1").build(), "at column 8, expected ')'",
                BreakpointOptions.builder().condition("v3 $ 2").build(), "at column 4, expected an operator",
                BreakpointOptions.builder().condition("v2 > 99999999999999999999").build(), "at column 6, expected a number that fits",
                BreakpointOptions.builder().condition("v2 ? 1").build(), "at column 7, expected ':'",
                BreakpointOptions.builder().hitCondition(">= x").build(), "at column 4",
                BreakpointOptions.builder().hitCondition("%0").build(), "%0 is never",
                BreakpointOptions.builder().logMessage("i={v2").build(), "at column 3, '{' is never closed",
                BreakpointOptions.builder().logMessage("i={v2 +}").build(), "expected a value");
            for (Map.Entry<BreakpointOptions, String> b : bad.entrySet()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dbg.edit().remove(kept).add(Location.line(6)).add(Location.line(6), b.getKey()).apply(), b.getKey().toString());
                assertTrue(e.getMessage().contains(b.getValue()), b.getKey() + ": " + e.getMessage());
                assertEquals(List.of(kept), dbg.breakpoints(), "a failed edit neither adds nor removes");
                assertTrue(kept.isSet());
            }
            assertThrows(NullPointerException.class, () -> dbg.edit().add(Location.line(6), null));
            dbg.edit().removeAll().apply();
            assertPristine(inst);
        }
    }
}
