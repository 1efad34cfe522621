/*
 * Scenarios that must run in a fresh JVM (they change process-wide signal state or end
 * the process). Launched by ChildJvmTest; prints "RESULT key=value" lines it checks.
 *   chain   a counting SIGTRAP handler is installed before ours; code outside Patchbay
 *           executes int3 three times: the counter reaches 3, a guest debugtrap is a
 *           `debug` Trap that never reaches it, and our own arming still works; closing
 *           the last Engine restores the counter
 *   sigdfl  our handler sits on top of SIG_DFL; a foreign int3 must kill the process
 *           with SIGTRAP's default action (exit 133, no hs_err file)
 *   smoke   1,000 on/off requests against a running loop (used on other JDKs)
 *   publish registry updates in a tight loop while other threads force safepoints and
 *           raise implicit NPEs (SIGSEGVs our handler sees first); must finish, not hang
 *   firstInterrupt  the JVM's first interrupt, of a runaway loop on another thread, between
 *           two MARK lines, so that the test can see which classes it loaded (-Xlog:class+load)
 */
package dev.patchbay.signal;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Trap;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.isa.x64.Mem;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

public final class ChildMain {
    static final String BREAK = String.join("\n",
        "function %brk(i64) -> i64 {",
        "block0(v0: i64):",
        "    debugtrap",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "chain": chain(); break;
            case "sigdfl": sigdfl(); break;
            case "smoke": smoke(); break;
            case "firstInterrupt": firstInterrupt(); break;
            case "replaced": replaced(); break;
            case "publish": publish(Long.parseLong(args[1])); break;
            default: throw new IllegalArgumentException(args[0]);
        }
        System.out.println("RESULT done=1");
        System.out.flush();
    }

    /** Installs a native SIGTRAP handler that counts invocations; returns the counter address. */
    static long installCountingHandler() {
        long counter = Native.calloc(1, 8);
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.movImm(Gpr.RAX, counter);
        a.lockAluImm(AluOp.ADD, 8, Mem.base(Gpr.RAX, 0), 1);
        a.ret();
        buf.finish();
        CodeMemory mem = CodeMemory.allocate(4096, "counting-sigtrap");
        mem.write(0, buf.bytes());
        long act = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
        Native.putLong(act + LinuxSignalLayout.SA_HANDLER, mem.execAddress(0));
        Native.putInt(act + LinuxSignalLayout.SA_FLAGS, LinuxSignalLayout.SA_SIGINFO);
        Native.sigaction(LinuxSignalLayout.SIGTRAP, act, 0);
        return counter;
    }

    /**
     * Installs, on top of whatever SIGSEGV handler is there, one that chains to it as
     * Wasmtime's does (a tail jump to the saved previous handler, same arguments), under
     * the same flags and mask; returns its address.
     */
    static long installChainingSegvHandler() {
        long saved = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.movImm(Gpr.RAX, saved + LinuxSignalLayout.SA_HANDLER);
        a.load(8, Gpr.RAX, Mem.base(Gpr.RAX, 0));
        a.jmp(Gpr.RAX);
        buf.finish();
        CodeMemory mem = CodeMemory.allocate(4096, "chaining-sigsegv");
        mem.write(0, buf.bytes());
        long act = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
        Native.sigaction(LinuxSignalLayout.SIGSEGV, 0, act);
        Native.putLong(act + LinuxSignalLayout.SA_HANDLER, mem.execAddress(0));
        Native.sigaction(LinuxSignalLayout.SIGSEGV, act, saved);
        return mem.execAddress(0);
    }

    /** C2 compiles this to a load with an implicit null check: a null is a SIGSEGV HotSpot handles. */
    static int hash(int[] a) { return a[0]; }

    static void replaced() throws Exception {
        Engine first = new Engine();
        long theirs = installChainingSegvHandler();
        first.close();
        System.out.println("RESULT left=" + (SigtrapHandler.currentHandler(LinuxSignalLayout.SIGSEGV) == theirs ? 1 : 0));
        Engine second = new Engine();
        System.out.println("RESULT theirs-kept=" + (SigtrapHandler.currentHandler(LinuxSignalLayout.SIGSEGV) == theirs ? 1 : 0));
        // HotSpot's own faults go theirs -> ours -> HotSpot's: with ours reinstalled on top
        // they went round ours and theirs forever, and this loop never ended.
        int[] none = null, one = {1};
        long npes = 0, sum = 0;
        for (int i = 0; i < 200_000; i++) {
            try {
                sum += hash((i & 1023) == 0 ? none : one);
            } catch (NullPointerException e) {
                npes++;
            }
        }
        System.out.println("RESULT npes=" + npes);
        System.out.println("RESULT sum=" + sum);
        second.close();
    }

    static void chain() throws Exception {
        long counter = installCountingHandler();
        long before = SigtrapHandler.currentHandler();
        Engine engine = new Engine();
        System.out.println("RESULT ours-installed=" + (SigtrapHandler.currentHandler() != before ? 1 : 0));
        Store store = new Store(engine);
        Instance inst = store.instantiate(engine.load(Compiler.compile(
            ClifParser.parse("brk.clif", BREAK + "\n" + ArmingTest.SPIN).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build())));
        long foreign = foreignInt3();
        long sum = 0;
        for (int i = 0; i < 3; i++) sum += Native.call(foreign, i);
        System.out.println("RESULT sum=" + sum);
        System.out.println("RESULT foreign-traps=" + Native.getLong(counter));
        // A guest's own int3 is ours: a debug Trap, not the previous handler's business.
        try {
            inst.func("brk").call(1);
            System.out.println("RESULT guest-debugtrap=returned");
        } catch (dev.patchbay.Trap t) {
            System.out.println("RESULT guest-debugtrap=" + t.code().clifName());
        }
        // Our own sites still work with the chain in place.
        arming(store, inst, 200);
        System.out.println("RESULT foreign-traps-after=" + Native.getLong(counter));
        store.close();
        engine.close();
        System.out.println("RESULT restored=" + (SigtrapHandler.currentHandler() == before ? 1 : 0));
    }

    static void sigdfl() {
        Engine engine = new Engine();
        Store store = new Store(engine);
        store.instantiate(engine.load(Compiler.compile(
            ClifParser.parse("brk.clif", BREAK).functions(), CompileOptions.defaults())));
        long foreign = foreignInt3();
        System.out.println("RESULT about-to-trap=1");
        System.out.flush();
        Native.call(foreign, 1);
        System.out.println("RESULT survived=1");
    }

    /** Code outside any Patchbay region: `int3; lea rax, [rdi + 1]; ret`. */
    static long foreignInt3() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.int3();
        a.lea(8, Gpr.RAX, Mem.base(Gpr.RDI, 1));
        a.ret();
        buf.finish();
        CodeMemory mem = CodeMemory.allocate(4096, "foreign-int3");
        mem.write(0, buf.bytes());
        FOREIGN.add(mem);
        return mem.execAddress(0);
    }

    /** Keeps foreign code mapped for the life of the process. */
    static final java.util.List<CodeMemory> FOREIGN = new java.util.ArrayList<>();

    /**
     * Regression (a CI run hung in the resource suite): the registry used to be rewritten
     * by Java code inside its seqlock window, and Java code can stop there at a safepoint
     * poll, which in compiled code is a SIGSEGV on a protected page. Our SIGSEGV handler
     * reads the registry first, so it spun forever on the open window: on the writer's own
     * thread at once, or on any thread polling while the writer waited for that safepoint.
     */
    static void publish(long millis) throws Exception {
        SigtrapHandler handler = SigtrapHandler.acquire((vmctx, site, fp) -> 0);
        AtomicBoolean stop = new AtomicBoolean();
        long[] npes = new long[1];
        Thread gc = new Thread(() -> {
            while (!stop.get()) System.gc();
        }, "safepoints");
        Thread faults = new Thread(() -> {
            JvmCoexistenceTest.Box[] boxes = {new JvmCoexistenceTest.Box(1), null};
            long sum = 0;
            for (int i = 0; !stop.get(); i++) {
                try {
                    sum += boxes[i & 1].v;
                } catch (NullPointerException e) {
                    npes[0]++;
                }
            }
            if (sum < 0) System.out.println(sum);
        }, "faults");
        gc.start();
        faults.start();
        long end = System.nanoTime() + millis * 1_000_000L;
        long updates = 0;
        int[] sites = {0, 5, 10};
        while (System.nanoTime() < end) {
            for (int i = 0; i < 64; i++) {
                long start = 0x7000_0000_0000L + (updates % 1024) * 0x10000L;
                handler.registry().register(start, start + 0x1000, sites).close();
                updates++;
            }
        }
        stop.set(true);
        gc.join();
        faults.join();
        handler.release();
        System.out.println("RESULT updates=" + updates);
        System.out.println("RESULT npes=" + (npes[0] > 0 ? 1 : 0));
    }

    static void firstInterrupt() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Func f = store.instantiate(Module.fromClif(engine, "runaway.clif", String.join("\n",
                "function %runaway(i64) -> i64 {",
                "block0(v0: i64):",
                "    jump block1(v0)",
                "block1(v1: i64):",
                "    v2 = iadd_imm v1, 1",
                "    brif v2, block1(v2), block2",
                "block2:",
                "    return v2",
                "}"))).func("runaway");
            AtomicReference<TrapCode> stopped = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    f.call(1);
                } catch (Trap t) {
                    stopped.set(t.code());
                }
            });
            System.out.println("MARK interrupt");
            guest.start();
            while (!store.interrupt()) Thread.onSpinWait();
            guest.join();
            System.out.println("MARK done");
            System.out.println("RESULT interrupted=" + TrapCode.INTERRUPT.equals(stopped.get()));
        }
    }

    static void smoke() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(ArmingTest.compile()));
            arming(store, inst, 1000);
            System.out.println("RESULT java=" + Runtime.version().feature());
        }
    }

    static void arming(Store store, Instance inst, int rounds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long n = 3_000_000;
        Thread guest = new Thread(() -> {
            while (!stop.get()) {
                long r = inst.func("spin").call(n)[0];
                if (r != ArmingTest.closedForm(n)) throw new AssertionError("wrong result " + r);
            }
        });
        guest.start();
        long hits0 = store.hookHits(SiteKind.EPOCH);
        for (int i = 0; i < rounds; i++) {
            long before = store.hookHits(SiteKind.EPOCH);
            if (!store.request(SitePlan.on()).await(Duration.ofSeconds(10))) throw new AssertionError("on " + i);
            // Once in the first rounds, let the guest run into a site that is on before turning
            // them off: an off request that arms the sites while the owner is still on its
            // way back from the safepoint would otherwise win every race, and the on state
            // would never be seen, though it was applied.
            if (i < 3) {
                long end = System.nanoTime() + 2_000_000_000L;
                while (store.hookHits(SiteKind.EPOCH) == before && System.nanoTime() < end) Thread.onSpinWait();
            }
            if (!store.request(SitePlan.off()).await(Duration.ofSeconds(10))) throw new AssertionError("off " + i);
        }
        stop.set(true);
        guest.join();
        System.out.println("RESULT rounds=" + rounds);
        System.out.println("RESULT hooked=" + (store.hookHits(SiteKind.EPOCH) > hits0 ? 1 : 0));
    }
}
