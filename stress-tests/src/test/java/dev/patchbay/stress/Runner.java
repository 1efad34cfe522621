/*
 * Runs compiled bad-input survivors (modules that parsed, verified and compiled) to
 * check that the code they produce never crashes the JVM either: every call returns or
 * traps. Only functions that cannot touch arbitrary memory are called: no loads or stores
 * through pointers, which could hit mapped JVM memory (a documented limit), and no
 * call_indirect, whose mutated target could be the middle of real code. Stack slots
 * (stack_store, stack_load: the verifier keeps them in bounds) and debugtrap (a `debug`
 * Trap) are run. call_indirect to arbitrary addresses and return-address corruption are
 * fuzzed in a child JVM instead (FaultChild wild-control). Loops are bounded by an epoch
 * deadline and recursion by a small stack limit. Imports are hostcalls that return 0.
 *
 * For generated programs, the same calls run on every variant of the module (no sites;
 * idle sites; every site on; CHECK and FUEL epoch modes) and must agree: sites and epoch
 * checks must never change what a program computes.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.ImportInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

final class Runner {
    static final Set<Opcode> UNSAFE = EnumSet.of(Opcode.LOAD, Opcode.ULOAD8, Opcode.SLOAD8, Opcode.ULOAD16, Opcode.SLOAD16,
        Opcode.ULOAD32, Opcode.SLOAD32, Opcode.STORE, Opcode.ISTORE8, Opcode.ISTORE16, Opcode.ISTORE32, Opcode.CALL_INDIRECT);

    private final Engine engine;
    private final Run run;

    Runner(Engine engine, Run run) {
        this.engine = engine;
        this.run = run;
    }

    /** Names of the functions safe to call: none of them, nor anything in the module, touches memory. */
    static List<Function> safe(List<Function> fns) {
        for (Function f : fns) {
            for (Block b : f.layout) for (Inst i : b.insts) if (UNSAFE.contains(i.op)) return List.of();
        }
        return fns;
    }

    Instance instantiate(Store store, CompiledModule cm) {
        Linker l = new Linker();
        for (ImportInfo imp : cm.imports) {
            try {
                l.define(imp.name, (c, a) -> 0);
            } catch (IllegalArgumentException alreadyDefined) {
                // the same import declared twice
            }
        }
        return l.instantiate(store, store.engine().load(cm));
    }

    static long[] args(Function f, SplittableRandom rnd) {
        long[] a = new long[f.signature.params.size()];
        for (int i = 0; i < a.length; i++) {
            switch (rnd.nextInt(4)) {
                case 0: a[i] = 0; break;
                case 1: a[i] = 1; break;
                case 2: a[i] = -1; break;
                default: a[i] = rnd.nextLong();
            }
        }
        return a;
    }

    /** What a call did: "=r0,r1" or "!trapcode". INTERRUPT means the deadline stopped it. */
    static String call(Store store, Instance inst, Function f, long[] args) {
        if (store.engine().epochInterruption()) store.setEpochDeadline(200);
        try {
            return "=" + Arrays.toString(inst.func(f.name).call(args));
        } catch (Trap t) {
            return "!" + t.code().clifName();
        }
    }

    /** Runs the safe functions of a compiled survivor once each. Returns calls made. */
    int runSurvivor(CompiledModule cm, List<Function> fns, SplittableRandom rnd) {
        List<Function> ok = safe(fns);
        if (ok.isEmpty()) return 0;
        try (Store store = new Store(engine)) {
            store.setStackLimit(64 * 1024);
            if (cm.imports.stream().anyMatch(imp -> imp.signature.returns.size() > 1)) {
                // A CLIF import with several results has no public Hostcall that can answer
                // it (a Hostcall returns one value; multi-value hosts are Wasm's): the Store
                // refuses it at instantiation, naming the import. That refusal is the clean
                // outcome; anything else fails the case.
                try {
                    instantiate(store, cm);
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().contains("but a Hostcall returns one")) return 0;
                    throw e;
                }
                throw new AssertionError("a module importing a multi-value function was instantiated with one-value Hostcalls");
            }
            Instance inst = instantiate(store, cm);
            if (rnd.nextBoolean()) store.request(rnd.nextBoolean() ? SitePlan.on() : SitePlan.on().kind(
                dev.patchbay.codegen.instrument.SiteKind.PROFILE_ENTRY));
            int n = 0;
            for (Function f : ok) {
                if (cm.function(f.name) == null) continue;
                call(store, inst, f, args(f, rnd));
                n++;
            }
            return n;
        }
    }

    /**
     * Compiles `text` in every variant and runs each function with the same arguments on
     * all of them; returns calls made, or throws if two variants disagree.
     */
    int differential(String name, String text, SplittableRandom rnd) {
        String[] variants = {"none", "idle", "on", "check", "fuel"};
        List<CompiledModule> modules = new ArrayList<>();
        List<Function> fns = null;
        for (String v : variants) {
            InstrumentationPlan plan = v.equals("none") ? InstrumentationPlan.NONE
                : v.equals("check") ? InstrumentationPlan.all().withEpochMode(EpochMode.CHECK)
                : v.equals("fuel") ? InstrumentationPlan.all().withEpochMode(EpochMode.FUEL) : InstrumentationPlan.all();
            List<Function> parsed = ClifParser.parse(name, text).functions();
            if (fns == null) fns = ClifParser.parse(name, text).functions();
            modules.add(Compiler.compile(parsed, CompileOptions.builder().plan(plan).build()));
        }
        int calls = 0;
        // Code without sites cannot run in an epoch Engine (it could not be stopped): the
        // "none" variant runs in a plain Engine's Store beside the others.
        try (Engine plainEngine = new Engine(); Store plain = new Store(plainEngine); Store store = new Store(engine)) {
            store.setStackLimit(256 * 1024);
            plain.setStackLimit(256 * 1024);
            List<Instance> insts = new ArrayList<>();
            for (int k = 0; k < variants.length; k++) {
                insts.add(instantiate(variants[k].equals("none") ? plain : store, modules.get(k)));
            }
            for (Function f : fns) {
                long[] a = args(f, rnd);
                String[] got = new String[variants.length];
                for (int k = 0; k < variants.length; k++) {
                    if (variants[k].equals("on")) store.request(SitePlan.on());
                    got[k] = call(insts.get(k).store(), insts.get(k), f, a);
                    if (variants[k].equals("on")) store.request(SitePlan.off());
                    calls++;
                }
                boolean interrupted = false;
                for (String g : got) interrupted |= g.equals("!" + TrapCode.INTERRUPT.clifName());
                if (interrupted) continue;
                for (int k = 1; k < variants.length; k++) {
                    if (!got[k].equals(got[0])) {
                        throw new AssertionError(run.msg("%" + f.name + Arrays.toString(a) + " gives " + got[0] + " without sites but "
                            + got[k] + " with " + variants[k] + " sites (" + Arrays.toString(variants) + " = " + Arrays.toString(got)
                            + ")\n--- program ---\n" + text));
                    }
                }
            }
        }
        return calls;
    }

    static boolean integerOnly(Function f) {
        for (AbiParam p : f.signature.params) if (!p.type.isInt()) return false;
        return true;
    }
}
