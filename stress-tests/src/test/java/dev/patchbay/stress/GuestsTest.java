/*
 * The suites' ground truth: every guest program gives its closed form, and every trap
 * function raises exactly its trap code, on an idle Store with all sites off and all on.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class GuestsTest {
    @Test
    void closedFormsAndTrapCodesHold() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance loops = store.instantiate(engine.load(Guests.compile("loops.clif", Guests.LOOPS)));
            Instance traps = store.instantiate(engine.load(Guests.compile("traps.clif", Guests.TRAPS)));
            Instance host = new Linker()
                .define("host_add", (c, a) -> a[0] + a[1])
                .define("host_reenter", (c, a) -> loops.func("sum").call(a[0])[0])
                .instantiate(store, engine.load(Guests.compile("host.clif", Guests.HOST)));
            for (boolean on : new boolean[] {false, true}) {
                assertTrue(store.request(on ? SitePlan.on() : SitePlan.off()).await(Duration.ofSeconds(5)));
                for (long n : new long[] {1, 2, 3, 10, 1000, 123_457}) {
                    assertEquals(Guests.sum(n), loops.func("sum").call(n)[0], "sum " + n);
                    assertEquals(Guests.calls(n), loops.func("calls").call(n)[0], "calls " + n);
                    assertEquals(Guests.hostloop(n), host.func("hostloop").call(n)[0], "hostloop " + n);
                    assertEquals(Guests.sum(n), host.func("reenter").call(n)[0], "reenter " + n);
                    assertEquals(Guests.nested(n % 97 + 1, n % 13 + 1), loops.func("nested").call(n % 97 + 1, n % 13 + 1)[0]);
                    if (n < 2000) assertEquals(Guests.tri(n), loops.func("tri").call(n)[0], "tri " + n);
                }
                assertEquals(TrapCode.STACK_OVERFLOW, assertThrows(Trap.class, () -> loops.func("down").call(0)).code());
                for (TrapCode c : Guests.TRAP_CODES) {
                    assertEquals(Guests.sum(50), traps.func("t_" + c.clifName()).call(50, 0)[0]);
                    Trap t = assertThrows(Trap.class, () -> traps.func("t_" + c.clifName()).call(50, 1));
                    assertEquals(c, t.code());
                    assertEquals("t_" + c.clifName(), t.backtrace().get(0).function());
                }
                assertEquals(Guests.sum(50) / 3, traps.func("divz").call(50, 3)[0]);
                assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, assertThrows(Trap.class, () -> traps.func("divz").call(50, 0)).code());
                assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, assertThrows(Trap.class, () -> traps.func("remz").call(50, 0)).code());
                assertEquals(Guests.sum(50) % 7, traps.func("remz").call(50, 7)[0]);
                assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(Trap.class, () -> traps.func("sovf").call(50, -1)).code());
                assertEquals(Long.MIN_VALUE + Guests.sum(50), traps.func("sovf").call(50, 1)[0]);
                assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(Trap.class, () -> traps.func("aovf").call(50, -1)).code());
                assertEquals(Guests.sum(50) + 5, traps.func("aovf").call(50, 5)[0]);
                assertEquals(TrapCode.user(9), assertThrows(Trap.class, () -> traps.func("zero").call(50, 0)).code());
                assertEquals(TrapCode.UNREACHABLE, assertThrows(Trap.class, () -> traps.func("unreach").call(50, 1)).code());
                assertEquals(Guests.sum(50), traps.func("unreach").call(50, 0)[0]);
                assertNull(Guests.siteBytesProblem(store, loops));
                assertNull(Guests.siteBytesProblem(store, traps));
                assertNull(Guests.siteBytesProblem(store, host));
            }
        }
    }
}
