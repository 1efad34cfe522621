/*
 * The post-allocation Rewrite's invariants (its header), checked on the Forms of real code:
 * every filetest and both peer corpora (integer and float run tests), under every instrumentation plan, allocated with
 * the full register set and with only a few registers of each class (so that most operands
 * are spilled and every reload, spill and scratch path runs). Per instruction:
 * - a register operand of a use holds the use's value: it is the vreg's own register and no
 *   `before` edit writes it, or the last `before` edit writing it reloads the vreg's slot or
 *   moves from the vreg's register;
 * - a memory operand is the vreg's own spill slot;
 * - no edit writes the register or slot of a vreg live through the instruction;
 * - a result computed anywhere but its own location is moved or spilled there by `after`;
 * - no vreg is ever allocated a scratch register.
 * Each restricted allocation is also emitted, so a Form that promises a register where there
 * is none fails in emission's operand checks.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.CorpusLocator;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.Instrumenter;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.regalloc.LinearScan;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RewriteTest {
    private static final Set<Integer> SCRATCH = Set.of(Abi.SCRATCH.enc(), Abi.SCRATCH2.enc(), Abi.xmmReg(Abi.XSCRATCH),
        Abi.xmmReg(Abi.XSCRATCH2));

    /** The backend's order: every allocatable register. */
    private static int[] fullOrder() {
        int[] r = new int[Abi.ALLOCATABLE.length + Abi.ALLOCATABLE_XMM.length];
        for (int i = 0; i < Abi.ALLOCATABLE.length; i++) r[i] = Abi.ALLOCATABLE[i].enc();
        for (int i = 0; i < Abi.ALLOCATABLE_XMM.length; i++) r[Abi.ALLOCATABLE.length + i] = Abi.xmmReg(Abi.ALLOCATABLE_XMM[i]);
        return r;
    }

    /** Three GPRs (one callee-saved) and two XMM registers: most values spill. */
    private static final int[] FEW = {Gpr.RAX.enc(), Gpr.RCX.enc(), Gpr.RBX.enc(), Abi.xmmReg(Xmm.XMM0), Abi.xmmReg(Xmm.XMM1)};

    private static List<InstrumentationPlan> plans() {
        List<InstrumentationPlan> out = new ArrayList<>();
        out.add(InstrumentationPlan.NONE);
        for (EpochMode m : EpochMode.values()) if (m != EpochMode.NONE) out.add(InstrumentationPlan.all().withEpochMode(m));
        out.add(InstrumentationPlan.of(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT));
        return out;
    }

    private static List<Path> clifFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".clif")).sorted().collect(Collectors.toList());
        }
    }

    @TestFactory
    List<DynamicTest> everyFormKeepsTheInvariants() throws IOException {
        List<Path> files = new ArrayList<>(clifFiles(Path.of("src/test/resources/filetests")));
        files.addAll(CorpusLocator.clifFiles());
        files.addAll(CorpusLocator.clifFiles("clif-runtests-float"));
        assertTrue(files.size() > 20, "the corpus is there: " + files.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : files) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                int forms = checkFile(p.getFileName().toString(), Files.readString(p));
                assertTrue(forms > 0, "some function of " + p + " compiled");
            }));
        }
        return tests;
    }

    /** The checker is not vacuous: a Form that reads a spilled vreg from a register nobody loaded fails it. */
    @Test
    void aUseFromAnUnloadedRegisterFailsTheCheck() {
        String text = String.join("\n",
            "function %f(i64, i64) -> i64 {",
            "block0(v0: i64, v1: i64):",
            "    v2 = load.i64 v0",
            "    v3 = load.i64 v1",
            "    v4 = iadd v2, v3",
            "    store v4, v1",
            "    return v4",
            "}", "");
        Function f = ClifParser.parse("t.clif", text).functions().get(0);
        VCode vc = new Lower(f, CompileOptions.defaults(), Set.of("f")).lower();
        LinearScan.Result alloc = LinearScan.allocate(new VCodeAllocInput(vc), new int[] {Gpr.RAX.enc()});
        Rewrite.Result rw = Rewrite.run(vc, alloc);
        for (int i = 0; i < vc.insts.size(); i++) check(vc, alloc, rw, i);
        // Forget a Reload: a spilled base or stored value would be read from a register nobody loaded.
        boolean broke = false;
        for (int i = 0; i < vc.insts.size() && !broke; i++) {
            Rewrite.Form form = rw.form(i);
            for (Edit e : form.before) {
                if (e instanceof Edit.Reload) {
                    int at = i;
                    Edit[] kept = java.util.Arrays.stream(form.before).filter(x -> x != e).toArray(Edit[]::new);
                    AssertionError err = assertThrows(AssertionError.class, () -> checkUses(vc, alloc, rw, form, kept, at));
                    assertTrue(err.getMessage().contains("holds"), err.getMessage());
                    broke = true;
                    break;
                }
            }
        }
        assertTrue(broke, "with one register some operand is reloaded");
    }

    private static int checkFile(String name, String text) {
        int forms = 0;
        List<Function> fns = ClifParser.parse(name, text).functions();
        Set<String> names = fns.stream().map(fn -> fn.name).collect(Collectors.toSet());
        for (InstrumentationPlan plan : plans()) {
            CompileOptions opts = CompileOptions.builder().plan(plan).build();
            for (Function f0 : fns) {
                Function f = f0.copy();
                if (!plan.isEmpty()) Instrumenter.instrument(f, plan);
                VCode vc;
                try {
                    vc = new Lower(f, opts, names).lower();
                } catch (RuntimeException e) {
                    continue; // refused by the backend (CompilerInputTest covers refusals)
                }
                for (int[] order : new int[][] {fullOrder(), FEW}) {
                    LinearScan.Result alloc = LinearScan.allocate(new VCodeAllocInput(vc), order);
                    Rewrite.Result rw;
                    try {
                        rw = Rewrite.run(vc, alloc);
                    } catch (dev.patchbay.codegen.CompileException e) {
                        continue; // a frame over the limit, preserve_all with floats
                    }
                    for (int i = 0; i < vc.insts.size(); i++) {
                        try {
                            check(vc, alloc, rw, i);
                        } catch (AssertionError e) {
                            fail(name + " %" + f.name + " " + plan + (order == FEW ? " (few registers)" : "") + " inst " + i + " "
                                + vc.insts.get(i) + ": " + e.getMessage(), e);
                        }
                        forms++;
                    }
                    if (order == FEW) new Emit(vc, rw, opts).emit();
                }
            }
        }
        return forms;
    }

    private static boolean inReg(LinearScan.Result a, int v) { return a.loc[v] >= 0; }

    private static Mem slot(Rewrite.Result rw, LinearScan.Result a, int v) {
        return Mem.base(Gpr.RBP, rw.frame.spillOffset(a.spillSlot(v)));
    }

    private static int written(Edit e) {
        if (e instanceof Edit.Move) return ((Edit.Move) e).dst();
        if (e instanceof Edit.Reload) return ((Edit.Reload) e).dst();
        if (e instanceof Edit.LoadConst) return ((Edit.LoadConst) e).dst();
        if (e instanceof Edit.Lea) return ((Edit.Lea) e).dst();
        return -1;
    }

    private static Mem writtenMem(Edit e) {
        if (e instanceof Edit.Spill) return ((Edit.Spill) e).to();
        if (e instanceof Edit.StoreConst) return ((Edit.StoreConst) e).to();
        return null;
    }

    static void check(VCode vc, LinearScan.Result alloc, Rewrite.Result rw, int i) {
        MInst m = vc.insts.get(i);
        Rewrite.Form form = rw.form(i);
        checkUses(vc, alloc, rw, form, form.before, i);
        // Nothing writes the location of a vreg live through the instruction.
        for (int v = 0; v < alloc.loc.length; v++) {
            if (alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            assertTrue(!SCRATCH.contains(alloc.loc[v]), "v" + v + " is allocated scratch register " + alloc.loc[v]);
            if (!liveThrough(alloc.liveRanges(v), i)) continue;
            for (Edit[] list : new Edit[][] {form.before, form.after}) {
                for (Edit e : list) {
                    if (inReg(alloc, v)) assertTrue(written(e) != alloc.loc[v], e + " writes the register of v" + v + ", live through");
                    else assertTrue(!slot(rw, alloc, v).equals(writtenMem(e)), e + " writes the slot of v" + v + ", live through");
                }
            }
        }
        // A result computed elsewhere reaches its location after the instruction.
        for (int v : m.defs()) {
            if (!form.hasOp(v) || alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            Operand o = form.op(v);
            assertTrue(o.isReg(), "result v" + v + " is computed in memory " + o);
            if (inReg(alloc, v) && o.reg() == alloc.loc[v]) continue;
            boolean moved = false;
            for (Edit e : form.after) {
                if (inReg(alloc, v)) moved |= e.equals(new Edit.Move(alloc.loc[v], o.reg()));
                else moved |= e.equals(new Edit.Spill(slot(rw, alloc, v), o.reg()));
            }
            assertTrue(moved, "result v" + v + " computed in " + o.reg() + " never reaches its location");
        }
    }

    /** Every use operand holds its vreg's value, given the `before` edits. */
    static void checkUses(VCode vc, LinearScan.Result alloc, Rewrite.Result rw, Rewrite.Form form, Edit[] before, int i) {
        Map<Integer, Edit> lastWrite = new HashMap<>();
        for (Edit e : before) if (written(e) >= 0) lastWrite.put(written(e), e);
        MemArg ma = memArg(vc.insts.get(i));
        if (ma != null) {
            Mem a = form.addr;
            if (ma.slot >= 0) {
                assertEquals(Gpr.RBP, a.base(), "a stack slot's address is RBP-relative");
            } else if (ma.index >= 0 && a.index() == null) {
                // Base and index both spilled: combined by an lea of their reloads.
                Edit w = lastWrite.get(a.base().enc());
                assertTrue(w instanceof Edit.Lea, "the combined address " + a + " comes from an lea, not " + w);
            } else {
                addressReg(alloc, rw, lastWrite, a.base(), ma.base);
            }
            if (ma.index >= 0 && a.index() != null) addressReg(alloc, rw, lastWrite, a.index(), ma.index);
        }
        Set<Integer> seen = new HashSet<>();
        for (int v : vc.insts.get(i).uses()) {
            if (!seen.add(v) || !form.hasOp(v)) continue;
            Operand o = form.op(v);
            if (!o.isReg()) {
                assertTrue(!inReg(alloc, v), "v" + v + " is in a register but read from memory " + o.mem());
                assertEquals(slot(rw, alloc, v), o.mem(), "v" + v + " is read from another slot");
                continue;
            }
            Edit w = lastWrite.get(o.reg());
            if (w == null) {
                assertTrue(inReg(alloc, v) && alloc.loc[v] == o.reg(), "register " + o.reg() + " holds v" + v + "? nothing loaded it");
            } else {
                boolean loads = w instanceof Edit.Reload && !inReg(alloc, v)
                    || w instanceof Edit.Move && inReg(alloc, v) && ((Edit.Move) w).src() == alloc.loc[v];
                assertTrue(loads, "register " + o.reg() + " holds v" + v + "? its last edit is " + w);
            }
        }
    }

    private static void addressReg(LinearScan.Result alloc, Rewrite.Result rw, Map<Integer, Edit> lastWrite, Gpr r, int v) {
        Edit w = lastWrite.get(r.enc());
        if (w == null) {
            assertTrue(inReg(alloc, v) && alloc.loc[v] == r.enc(), "address register " + r + " holds v" + v + "? nothing loaded it");
        } else {
            assertTrue(w.equals(new Edit.Reload(r.enc(), inReg(alloc, v) ? null : slot(rw, alloc, v))),
                "address register " + r + " holds v" + v + "? its last edit is " + w);
        }
    }

    private static MemArg memArg(MInst m) {
        switch (m.kind()) {
            case LOAD: return ((MInst.Load) m).mem();
            case STORE: return ((MInst.Store) m).mem();
            case STORE_I: return ((MInst.StoreImm) m).mem();
            case LEA: return ((MInst.Lea) m).mem();
            case ALU_M: return ((MInst.AluMem) m).mem();
            default: return null;
        }
    }

    private static boolean liveThrough(int[] ranges, int i) {
        for (int k = 0; k < ranges.length; k += 2) if (ranges[k] <= 2 * i && ranges[k + 1] >= 2 * i + 1) return true;
        return false;
    }
}
