/*
 * The guest programs the suites run, with the closed form of each result so every run
 * can be checked exactly (i64 arithmetic wraps, as Java's long does). Every function
 * carries epoch sites at its entry and loop headers and profile sites at entry and
 * exits, so patch plans have something to do everywhere.
 */
package dev.patchbay.stress;

import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.PatchSite;

import java.util.ArrayList;
import java.util.List;

final class Guests {
    private Guests() {}

    /** Hot loops, calls and recursion. */
    static final String LOOPS = String.join("\n",
        // sum of i for i in [0, n)
        "function %sum(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = iadd v3, v2",
        "    v5 = iadd_imm v2, 1",
        "    v6 = icmp ult v5, v0",
        "    brif v6, block1(v5, v4), block2",
        "block2:",
        "    return v4",
        "}",
        // sum of (i*j + 1) for i in [0, a), j in [0, b): two loop headers
        "function %nested(i64, i64) -> i64 {",
        "block0(v0: i64, v1: i64):",
        "    v2 = iconst.i64 0",
        "    jump block1(v2, v2)",
        "block1(v3: i64, v4: i64):",
        "    jump block2(v2, v4)",
        "block2(v5: i64, v6: i64):",
        "    v7 = imul v3, v5",
        "    v8 = iadd v6, v7",
        "    v9 = iadd_imm v8, 1",
        "    v10 = iadd_imm v5, 1",
        "    v11 = icmp ult v10, v1",
        "    brif v11, block2(v10, v9), block3",
        "block3:",
        "    v12 = iadd_imm v3, 1",
        "    v13 = icmp ult v12, v0",
        "    brif v13, block1(v12, v9), block4",
        "block4:",
        "    return v9",
        "}",
        "function %step(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = imul_imm v0, 3",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}",
        // sum of step(i) = 3i + 1 for i in [0, n): a call per iteration
        "function %calls(i64) -> i64 {",
        "    fn0 = %step(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = call fn0(v2)",
        "    v5 = iadd v3, v4",
        "    v6 = iadd_imm v2, 1",
        "    v7 = icmp ult v6, v0",
        "    brif v7, block1(v6, v5), block2",
        "block2:",
        "    return v5",
        "}",
        // n + tri(n - 1), tri(0) = 0: recursion n deep
        "function %tri(i64) -> i64 {",
        "    fn0 = %tri(i64) -> i64",
        "block0(v0: i64):",
        "    brif v0, block1, block2",
        "block1:",
        "    v1 = iadd_imm v0, -1",
        "    v2 = call fn0(v1)",
        "    v3 = iadd v2, v0",
        "    return v3",
        "block2:",
        "    return v0",
        "}",
        // a loop that never ends: only an interrupt or a deadline stops it
        "function %forever(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    jump block1(v2)",
        "}",
        // unbounded recursion: traps with stk_ovf
        "function %down(i64) -> i64 {",
        "    fn0 = %down(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 1",
        "    v2 = call fn0(v1)",
        "    v3 = iadd v2, v0",
        "    return v3",
        "}");

    /** Loops that call the host: hostloop(n) = sum of host_add(i, 7) for i in [0, n). */
    static final String HOST = String.join("\n",
        "function %hostloop(i64) -> i64 {",
        "    fn0 = %host_add(i64, i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = iconst.i64 7",
        "    v5 = call fn0(v2, v4)",
        "    v6 = iadd v3, v5",
        "    v7 = iadd_imm v2, 1",
        "    v8 = icmp ult v7, v0",
        "    brif v8, block1(v7, v6), block2",
        "block2:",
        "    return v6",
        "}",
        // guest -> host -> guest: reenter(n) = host_reenter(n) = sum(n) computed by the guest
        "function %reenter(i64) -> i64 {",
        "    fn0 = %host_reenter(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}");

    static long sum(long n) { return n <= 0 ? 0 : n * (n - 1) / 2; }

    static long nested(long a, long b) { return sum(a) * sum(b) + a * b; }

    static long calls(long n) { return 3 * sum(n) + n; }

    static long tri(long n) { return n * (n + 1) / 2; }

    static long hostloop(long n) { return sum(n) + 7 * n; }

    /** Every trap code the runtime knows, each raised by its own function after a loop. */
    static final List<TrapCode> TRAP_CODES = List.of(
        TrapCode.STACK_OVERFLOW, TrapCode.HEAP_OUT_OF_BOUNDS, TrapCode.INTEGER_OVERFLOW, TrapCode.INTEGER_DIVISION_BY_ZERO,
        TrapCode.BAD_CONVERSION_TO_INTEGER, TrapCode.UNREACHABLE, TrapCode.BAD_SIGNATURE, TrapCode.INTERRUPT,
        TrapCode.HOST_ERROR, TrapCode.OUT_OF_FUEL, TrapCode.BAD_TARGET, TrapCode.DEBUG, TrapCode.user(0), TrapCode.user(1),
        TrapCode.user(254), TrapCode.user(255));

    /** A loop of n iterations (sum in v5), then `tail` with x in v1; returns v9. */
    private static String afterLoop(String name, String... tail) {
        List<String> l = new ArrayList<>(List.of(
            "function %" + name + "(i64, i64) -> i64 {",
            "block0(v0: i64, v1: i64):",
            "    v2 = iconst.i64 0",
            "    jump block1(v2, v2)",
            "block1(v3: i64, v4: i64):",
            "    v5 = iadd v4, v3",
            "    v6 = iadd_imm v3, 1",
            "    v7 = icmp ult v6, v0",
            "    brif v7, block1(v6, v5), block2",
            "block2:"));
        l.addAll(List.of(tail));
        l.add("}");
        return String.join("\n", l);
    }

    /**
     * Functions f(n, x) that loop n times (sum = sum(n), n >= 1), then trap when x says so:
     *   t_<code>(n, x): trapnz x, code; returns sum
     *   divz(n, x) = sum udiv x (x = 0: int_divz)
     *   remz(n, x) = sum srem x (x = 0: int_divz)
     *   sovf(n, x) = MIN sdiv x + sum (x = -1: int_ovf)
     *   aovf(n, x) = uadd_overflow_trap(sum, x, int_ovf) (sum + x wraps: int_ovf)
     *   zero(n, x): trapz x, user9; returns sum (x = 0 traps)
     *   unreach(n, x): trap unreachable unless x = 0
     */
    static final String TRAPS;

    static {
        List<String> fs = new ArrayList<>();
        for (TrapCode c : TRAP_CODES) {
            fs.add(afterLoop("t_" + c.clifName(), "    trapnz v1, " + c.clifName(), "    return v5"));
        }
        fs.add(afterLoop("divz", "    v9 = udiv v5, v1", "    return v9"));
        fs.add(afterLoop("remz", "    v9 = srem v5, v1", "    return v9"));
        fs.add(afterLoop("sovf", "    v8 = iconst.i64 -9223372036854775808", "    v10 = sdiv v8, v1", "    v9 = iadd v10, v5",
            "    return v9"));
        fs.add(afterLoop("aovf", "    v9 = uadd_overflow_trap v5, v1, int_ovf", "    return v9"));
        fs.add(afterLoop("zero", "    trapz v1, user9", "    return v5"));
        fs.add(afterLoop("unreach", "    brif v1, block3, block4", "block3:", "    trap unreachable", "block4:", "    return v5"));
        TRAPS = String.join("\n", fs);
    }

    static CompiledModule compile(String name, String clif) {
        return compile(name, clif, InstrumentationPlan.all());
    }

    static CompiledModule compile(String name, String clif, InstrumentationPlan plan) {
        return Compiler.compile(ClifParser.parse(name, clif).functions(), CompileOptions.builder().plan(plan).build());
    }

    static CompiledModule compile(String name, String clif, EpochMode mode) {
        return compile(name, clif, InstrumentationPlan.all().withEpochMode(mode));
    }

    /**
     * The stray-0xCC check: every site's bytes are exactly its on or its off form, as the
     * Store says, never a mix and never an int3. Call with the Store idle (guests stopped,
     * requests applied). Returns null if all is well, else what is wrong.
     */
    static String siteBytesProblem(Store store, Instance inst) {
        StringBuilder bad = new StringBuilder();
        for (PatchSite s : inst.module().compiled().patchSites) {
            byte[] now = inst.codeBytes(s.offset, s.length);
            boolean on = store.isSiteOn(inst, s.id);
            byte[] want = on ? s.onBytes() : s.offBytes();
            if (!java.util.Arrays.equals(want, now)) {
                bad.append(String.format("site %d (%s, offset 0x%x) should be its %s form %s but is %s%n", s.id, s.kind, s.offset,
                    on ? "on" : "off", hex(want), hex(now)));
            }
        }
        return bad.length() == 0 ? null : bad.toString();
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x ", x & 0xFF));
        return sb.toString().trim();
    }
}
