/*
 * Guest faults that used to take the JVM down (issue 13), each run in a fresh JVM by
 * GuestFaultTest so that a regression fails the test instead of killing surefire. Prints
 * "RESULT key=value" lines; "RESULT done=1" last means the JVM survived every case.
 *   bad-targets     call_indirect to 0, 1, 0x1000, -1, a kernel address, a non-canonical
 *                   address, a heap block and a stack slot (neither executable): each is
 *                   a bad_target Trap whose backtrace starts at the caller
 *   bad-returns     a guest overwrites its own return address and returns: bad_target
 *   host-faults     HotSpot's implicit null checks in Java that a guest call reaches (a
 *                   hostcall, a safepoint listener, a deadline callback) still reach
 *                   HotSpot, while the guest call is on the stack
 *   no-controller   an Engine with noSiteController(): a load from 0, a call to 0 and a
 *                   debugtrap are Traps
 *   sigbus          a guest load from a file mapping whose file was truncated: heap_oob;
 *                   HotSpot's own SIGBUS (a MappedByteBuffer over it) still reaches HotSpot
 *   smashed-fp      a guest overwrites its caller's saved RBP, then the caller faults or
 *                   traps: a Trap, in bounded time (the trap stub's walk used to loop); or
 *                   the caller returns: its epilogue restores RSP from RSP, not from RBP
 *   java-walk       the Java stack walk (RuntimeInternals.backtrace) with garbage frame
 *                   pointers from a hostcall: bounded, no read outside the guest stack
 *   many-params     a 150,000-parameter function compiled past the verifier, called on a
 *                   1 MiB thread: stk_ovf, not a write off the end of the stack
 *   handler-faults  a signal handler that interrupts guest code takes a fault it handles
 *                   itself (as a profiler's protected read does, through a SIGSEGV handler
 *                   installed before Patchbay's): that fault is not the guest's, the guest
 *                   call returns its result
 *   big-frames      stack slots near the frame limit: stack_store/stack_load at both ends
 *                   of a 1 MiB slot work with a 4 MiB stack limit; a 1 GiB frame traps
 *                   stk_ovf; the wrapping pair of slots is refused by the verifier
 */
package dev.patchbay.signal;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.isa.x64.X64Backend;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.verify.VerifierException;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.sys.Native;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

public final class FaultScenarios {
    static final String CONTROL = String.join("\n",
        "function %good(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 100",
        "    return v1",
        "}",
        "function %good_addr() -> i64 {",
        "    fn0 = %good(i64) -> i64",
        "block0:",
        "    v0 = func_addr.i64 fn0",
        "    return v0",
        "}",
        "function %jump(i64, i64) -> i64 {",
        "    sig0 = (i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call_indirect sig0, v0(v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "}",
        "function %outer(i64, i64) -> i64 {",
        "    fn0 = %jump(i64, i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call fn0(v0, v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "}",
        // Executes its own stack slot, which holds `ret` bytes: runs only if the stack is executable.
        "function %slot_exec(i64) -> i64 {",
        "    ss0 = explicit_slot 64",
        "    sig0 = (i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0xc3c3c3c3c3c3c3c3",
        "    stack_store v1, ss0",
        "    stack_store v1, ss0+8",
        "    v2 = stack_addr.i64 ss0",
        "    v3 = call_indirect sig0, v2(v0)",
        "    return v3",
        "}",
        "function %smash_ret(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = get_frame_pointer.i64",
        "    store v0, v1+8",
        "    v2 = iconst.i64 7",
        "    return v2",
        "}",
        "function %mid(i64) -> i64 {",
        "    fn0 = %smash_ret(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}",
        "function %top(i64) -> i64 {",
        "    fn0 = %mid(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}",
        "function %smash_fp(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = get_frame_pointer.i64",
        "    store v0, v1",
        "    return v0",
        "}",
        "function %fp_then_load(i64, i64) -> i64 {",
        "    fn0 = %smash_fp(i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call fn0(v0)",
        "    v3 = load.i64 v1",
        "    v4 = iadd v2, v3",
        "    return v4",
        "}",
        "function %fp_then_trap(i64) -> i64 {",
        "    fn0 = %smash_fp(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    trap user7",
        "}",
        // Its RBP is garbage after the call, and it returns: its epilogue must not load RSP from it.
        "function %fp_then_return(i64, i64) -> i64 {",
        "    ss0 = explicit_slot 32",
        "    fn0 = %smash_fp(i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    stack_store v1, ss0",
        "    v2 = call fn0(v0)",
        "    v3 = iadd v2, v1",
        "    return v3",
        "}",
        "function %fp_return_top(i64, i64) -> i64 {",
        "    fn0 = %fp_then_return(i64, i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call fn0(v0, v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "}",
        "function %fp_top(i64, i64) -> i64 {",
        "    fn0 = %fp_then_load(i64, i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call fn0(v0, v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "}",
        "function %load(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = load.i64 v0",
        "    return v1",
        "}",
        "function %brk(i64) -> i64 {",
        "block0(v0: i64):",
        "    debugtrap",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}");

    /** Host code reached from guest calls: each runs Java that takes implicit null checks. */
    static final String HOST = String.join("\n",
        "function %via_host(i64) -> i64 {",
        "    fn0 = %npes(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}",
        "function %walk_host(i64) -> i64 {",
        "    fn0 = %walk(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}",
        "function %spin(i64) -> i64 {",
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
        "}");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "bad-targets": badTargets(); break;
            case "bad-returns": badReturns(); break;
            case "host-faults": hostFaults(); break;
            case "no-controller": noController(); break;
            case "sigbus": sigbus(Path.of(args[1])); break;
            case "smashed-fp": smashedFp(); break;
            case "java-walk": javaWalk(); break;
            case "many-params": manyParams(); break;
            case "big-frames": bigFrames(); break;
            case "handler-faults": handlerFaults(); break;
            default: throw new IllegalArgumentException(args[0]);
        }
        System.out.println("RESULT done=1");
        System.out.flush();
    }

    static CompiledModule compile(String name, String clif) {
        return Compiler.compile(ClifParser.parse(name, clif).functions(), CompileOptions.defaults());
    }

    static String frames(Trap t) {
        List<String> names = new ArrayList<>();
        for (GuestFrame f : t.backtrace()) names.add(f.function());
        return String.join(",", names);
    }

    /** What a call did: "=value" or "!code:frame,frame". */
    static String outcome(Instance inst, String fn, long... args) {
        try {
            return "=" + inst.func(fn).call(args)[0];
        } catch (Trap t) {
            return "!" + t.code().clifName() + ":" + frames(t);
        }
    }

    /** HotSpot's implicit null checks keep working: the same count as a fresh baseline. */
    static void npesStillWork(String key) {
        long[] a = JvmCoexistenceTest.workload(3);
        System.out.println("RESULT " + key + "=" + (a[0] == 3 * (20_000 / 7 + 1) ? "ok" : "npes " + a[0]));
    }

    static void badTargets() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("control.clif", CONTROL)));
            long good = inst.func("good_addr").call()[0];
            long heap = Native.calloc(1, 4096);
            Native.setMemory(heap, 4096, (byte) 0xC3); // `ret` bytes: would return if executable
            long[] targets = {0, 1, 0x1000, -1, 0xffff_8000_0000_0000L, 0x8000_0000_0000_0000L, heap};
            String[] names = {"0", "1", "0x1000", "-1", "kernel", "noncanonical", "heap"};
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < targets.length; i++) {
                    String o = outcome(inst, "outer", targets[i], 5);
                    if (round == 0) System.out.println("RESULT target-" + names[i] + "=" + o);
                    // The Store stays usable after each one.
                    String ok = outcome(inst, "outer", good, 5);
                    if (!ok.equals("=107")) System.out.println("RESULT after-" + names[i] + "=" + ok);
                }
                String s = outcome(inst, "slot_exec", 5);
                if (round == 0) System.out.println("RESULT target-stack-slot=" + s);
            }
            System.out.println("RESULT good=" + outcome(inst, "outer", good, 5));
            npesStillWork("npes");
        }
    }

    static void badReturns() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("control.clif", CONTROL)));
            long[] values = {0x41_4141_4141L, 0, 1, -1, 0xdead_0000_0000_0000L, 0xffff_8000_0000_0000L};
            String[] names = {"unmapped", "0", "1", "-1", "noncanonical", "kernel"};
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < values.length; i++) {
                    String o = outcome(inst, "top", values[i]);
                    if (round == 0) System.out.println("RESULT ret-" + names[i] + "=" + o);
                    String ok = outcome(inst, "outer", inst.func("good_addr").call()[0], 1);
                    if (!ok.equals("=103")) System.out.println("RESULT after-" + names[i] + "=" + ok);
                }
            }
            npesStillWork("npes");
        }
    }

    static void hostFaults() throws Exception {
        AtomicReference<String> bad = new AtomicReference<>("none");
        long[] expect = JvmCoexistenceTest.workload(2);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Linker l = new Linker();
            l.define("npes", (caller, a) -> {
                long[] r = JvmCoexistenceTest.workload(2);
                if (r[0] != expect[0] || r[1] != expect[1]) bad.set("hostcall " + r[0]);
                return a[0];
            });
            l.define("walk", (caller, a) -> 0);
            Instance inst = l.instantiate(store, engine.load(Compiler.compile(ClifParser.parse("host.clif", HOST).functions(),
                CompileOptions.builder().plan(InstrumentationPlan.all()).build())));
            for (int i = 0; i < 5; i++) {
                long r = inst.func("via_host").call(i)[0];
                if (r != i + 1) bad.set("via_host(" + i + ") = " + r);
            }
            System.out.println("RESULT hostcall=" + bad.get());
            // A deadline callback (reached through the epoch hook's upcall) running the same Java.
            store.onEpochDeadline(s -> {
                long[] r = JvmCoexistenceTest.workload(2);
                if (r[0] != expect[0] || r[1] != expect[1]) bad.set("callback " + r[0]);
                return EpochDecision.continueFor(1_000_000);
            });
            store.setEpochDeadline(0);
            long n = 20_000_000;
            long r = inst.func("spin").call(n)[0];
            if (r != n * (n - 1) / 2) bad.set("spin = " + r);
            System.out.println("RESULT callback=" + bad.get() + " deadlines=" + engine.epochMetrics().deadlinesReached());
            // A safepoint listener (the safepoint stub's upcall) running it too.
            store.setEpochDeadline(Long.MAX_VALUE / 4);
            store.addSafepointListener(at -> {
                long[] w = JvmCoexistenceTest.workload(1);
                if (w[0] != 20_000 / 7 + 1) bad.set("listener " + w[0]);
            });
            Thread guest = new Thread(() -> inst.func("spin").call(400_000_000L));
            guest.start();
            for (int i = 0; i < 20 && guest.isAlive(); i++) {
                store.requestSafepoint().await(java.time.Duration.ofSeconds(10));
            }
            guest.join();
            System.out.println("RESULT listener=" + bad.get());
        }
        npesStillWork("npes");
    }

    static void noController() {
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            System.out.println("RESULT has-controller=" + engine.hasSiteController());
            Instance inst = store.instantiate(engine.load(compile("control.clif", CONTROL)));
            System.out.println("RESULT load0=" + outcome(inst, "load", 0));
            System.out.println("RESULT call0=" + outcome(inst, "outer", 0, 1));
            System.out.println("RESULT debugtrap=" + outcome(inst, "brk", 1));
            System.out.println("RESULT good=" + outcome(inst, "outer", inst.func("good_addr").call()[0], 1));
            npesStillWork("npes");
        }
    }

    static void sigbus(Path dir) throws Exception {
        Path file = dir.resolve("truncated.bin");
        Files.write(file, new byte[8192]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
             Engine engine = new Engine(); Store store = new Store(engine)) {
            int fd = fdOf(file);
            long map = Native.mmap(0, 8192, Native.PROT_READ, Native.MAP_SHARED, fd, 0);
            MappedByteBuffer mbb = raf.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, 8192);
            Instance inst = store.instantiate(engine.load(compile("control.clif", CONTROL)));
            System.out.println("RESULT before=" + outcome(inst, "load", map + 4096));
            raf.setLength(0); // ftruncate: the mapping's pages now lie past the end of the file
            for (int i = 0; i < 3; i++) {
                String o = outcome(inst, "load", map + 4096);
                if (i == 0) System.out.println("RESULT truncated=" + o);
            }
            // HotSpot's own SIGBUS (an access to the truncated MappedByteBuffer) still reaches it.
            String hotspot;
            try {
                hotspot = "read " + mbb.get(4096);
            } catch (InternalError e) {
                hotspot = "InternalError";
            }
            System.out.println("RESULT hotspot-sigbus=" + hotspot);
            System.out.println("RESULT after=" + outcome(inst, "outer", inst.func("good_addr").call()[0], 1));
        }
        npesStillWork("npes");
    }

    /** The descriptor number of an open file of ours, from /proc/self/fd. */
    static int fdOf(Path file) throws Exception {
        Path real = file.toRealPath();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(p).equals(real)) return Integer.parseInt(p.getFileName().toString());
                } catch (java.io.IOException gone) {
                    // the directory's own descriptor, closed by now
                }
            }
        }
        throw new IllegalStateException("no descriptor for " + file);
    }

    static void smashedFp() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("control.clif", CONTROL)));
            long selfLoop = Native.calloc(1, 64);
            Native.putLong(selfLoop, selfLoop);
            long[] values = {0x10, 0xdead_0000L, -8, selfLoop, 0x41_4141_4141L, 0x8000_0000_0000_0000L};
            String[] names = {"0x10", "0xdead0000", "-8", "selfloop", "unmapped", "noncanonical"};
            for (int i = 0; i < values.length; i++) {
                long t0 = System.nanoTime();
                String load = outcome(inst, "fp_top", values[i], 0);
                String trap = outcome(inst, "fp_then_trap", values[i]);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("RESULT fp-" + names[i] + "=" + load + " " + trap + (ms > 5000 ? " slow " + ms + " ms" : ""));
                System.out.println("RESULT fp-return-" + names[i] + "=" + outcome(inst, "fp_return_top", values[i], 3));
            }
            System.out.println("RESULT good=" + outcome(inst, "outer", inst.func("good_addr").call()[0], 1));
        }
    }

    static void javaWalk() {
        List<String> seen = new ArrayList<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            long selfLoop = Native.calloc(1, 64);
            Native.putLong(selfLoop, selfLoop);
            long[] fps = {0, 0x10, -8, 0xdead_0000_0000_0000L, selfLoop, 0x41_4141_4141L, 7};
            Instance[] holder = new Instance[1];
            Linker l = new Linker();
            l.define("npes", (c, a) -> 0);
            l.define("walk", (c, a) -> {
                long pc = RuntimeInternals.codeAddress(holder[0]) + holder[0].module().compiled().function("walk_host").start;
                for (long fp : fps) seen.add(Long.toHexString(fp) + ":" + RuntimeInternals.backtrace(c.store(), pc, fp).size());
                // Off the owner thread, nothing at all.
                List<GuestFrame>[] off = new List[1];
                Thread t = new Thread(() -> off[0] = RuntimeInternals.backtrace(c.store(), pc, fps[1]));
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                seen.add("other-thread:" + off[0].size());
                return 1;
            });
            holder[0] = l.instantiate(store, engine.load(compile("host.clif", HOST)));
            holder[0].func("walk_host").call(0);
        }
        System.out.println("RESULT walks=" + String.join(" ", seen));
    }

    static void manyParams() throws Exception {
        int n = 150_000;
        StringBuilder sb = new StringBuilder("function %many(");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append("i64");
        sb.append(") -> i64 {\nblock0(");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append("v").append(i).append(": i64");
        sb.append("):\n    return v").append(n - 1).append("\n}\n");
        List<Function> fns = ClifParser.parse("many.clif", sb.toString()).functions();
        try {
            Compiler.compile(fns, CompileOptions.defaults());
            System.out.println("RESULT verifier=accepted");
        } catch (VerifierException e) {
            System.out.println("RESULT verifier=" + (e.getMessage().contains("over the limit of 1000") ? "refused" : e.getMessage()));
        }
        // Past the verifier, straight to the backend: the entry trampoline itself must check.
        CompiledModule cm = X64Backend.compile(fns, CompileOptions.defaults());
        AtomicReference<String> out = new AtomicReference<>("none");
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(cm));
            long[] a = new long[n];
            a[n - 1] = 42;
            Thread t = new Thread(null, () -> out.set(outcome(inst, "many", a)), "small-stack", 1 << 20);
            t.start();
            t.join();
        }
        System.out.println("RESULT many=" + out.get());
    }

    static void bigFrames() throws Exception {
        String mib = String.join("\n",
            "function %mib(i64) -> i64 {",
            "    ss0 = explicit_slot 1048576",
            "block0(v0: i64):",
            "    stack_store v0, ss0",
            "    stack_store v0, ss0+1048568",
            "    v1 = stack_load.i64 ss0",
            "    v2 = stack_load.i64 ss0+1048568",
            "    v3 = iadd v1, v2",
            "    return v3",
            "}",
            "function %gib(i64) -> i64 {",
            "    ss0 = explicit_slot 1073741824",
            "block0(v0: i64):",
            "    stack_store v0, ss0+1073741816",
            "    stack_store v0, ss0",
            "    v1 = stack_load.i64 ss0",
            "    return v1",
            "}");
        AtomicReference<String> out = new AtomicReference<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("big.clif", mib)));
            System.out.println("RESULT default-limit=" + outcome(inst, "mib", 21));
            store.setStackLimit(4L << 20);
            Thread t = new Thread(null, () -> out.set(outcome(inst, "mib", 21) + " " + outcome(inst, "gib", 5)), "big", 16L << 20);
            t.start();
            t.join();
            System.out.println("RESULT raised-limit=" + out.get());
        }
        String wrapping = String.join("\n",
            "function %wrap(i64) -> i64 {",
            "    ss0 = explicit_slot 2147483647",
            "    ss1 = explicit_slot 2147483641",
            "block0(v0: i64):",
            "    stack_store v0, ss1",
            "    v1 = stack_load.i64 ss1",
            "    return v1",
            "}");
        try {
            CompiledModule cm = compile("wrap.clif", wrapping);
            try (Engine engine = new Engine(); Store store = new Store(engine)) {
                // A wrapped frame put ss1 over the return address: this call used to crash.
                System.out.println("RESULT wrapping=accepted " + outcome(store.instantiate(engine.load(cm)), "wrap", 5));
            }
        } catch (VerifierException e) {
            System.out.println("RESULT wrapping=" + e.getMessage().replace('\n', ' '));
        }
    }

    static long code(java.util.function.Consumer<dev.patchbay.codegen.isa.x64.Assembler> body) {
        dev.patchbay.codegen.machinst.CodeBuffer buf = new dev.patchbay.codegen.machinst.CodeBuffer();
        body.accept(new dev.patchbay.codegen.isa.x64.Assembler(buf));
        buf.finish();
        dev.patchbay.internal.sys.CodeMemory mem = dev.patchbay.internal.sys.CodeMemory.allocate(4096, "handler-faults");
        mem.write(0, buf.bytes());
        ChildMain.FOREIGN.add(mem);
        return mem.execAddress(0);
    }

    static void handlerFaults() throws Exception {
        final int sigusr1 = 10, ucRax = dev.patchbay.signal.LinuxSignalLayout.greg(13);
        long counters = Native.calloc(1, 64); // [0] probe faults fixed, [8] SIGUSR1 handler runs, [16] probe results
        long previous = Native.calloc(1, dev.patchbay.signal.LinuxSignalLayout.SIGACTION_SIZE);
        // probe(p): mov rax, [rdi]; ret. A "protected read": its fault is fixed by the handler below.
        long probe = code(a -> {
            a.load(8, dev.patchbay.codegen.isa.x64.Gpr.RAX, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RDI, 0));
            a.ret();
        });
        // The prober's SIGSEGV handler, installed before Patchbay's: a fault at the probe resumes
        // after it with rax = 0x5afe; anything else goes to the handler before it (HotSpot's).
        long segv = code(a -> {
            var G = dev.patchbay.codegen.isa.x64.Gpr.class;
            dev.patchbay.codegen.machinst.Label other = a.buffer().newLabel();
            a.movImm(dev.patchbay.codegen.isa.x64.Gpr.RAX, probe);
            a.alu(dev.patchbay.codegen.isa.x64.AluOp.CMP, 8, dev.patchbay.codegen.isa.x64.Gpr.RAX,
                dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RDX, dev.patchbay.signal.LinuxSignalLayout.UC_RIP));
            a.jcc(dev.patchbay.codegen.isa.x64.Cond.NE, other, false);
            a.aluImm(dev.patchbay.codegen.isa.x64.AluOp.ADD, 8, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RDX,
                dev.patchbay.signal.LinuxSignalLayout.UC_RIP), 3);
            a.storeImm(8, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RDX, ucRax), 0x5afe);
            a.movImm(dev.patchbay.codegen.isa.x64.Gpr.RAX, counters);
            a.lockAluImm(dev.patchbay.codegen.isa.x64.AluOp.ADD, 8, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RAX, 0), 1);
            a.ret();
            a.buffer().bind(other);
            a.movImm(dev.patchbay.codegen.isa.x64.Gpr.RAX, previous);
            a.jmp(dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RAX, 0));
        });
        // SIGUSR1 handler: probe(0), and count.
        long usr1 = code(a -> {
            a.push(dev.patchbay.codegen.isa.x64.Gpr.RBX);
            a.zero(dev.patchbay.codegen.isa.x64.Gpr.RDI);
            a.movImm(dev.patchbay.codegen.isa.x64.Gpr.RAX, probe);
            a.call(dev.patchbay.codegen.isa.x64.Gpr.RAX);
            a.movImm(dev.patchbay.codegen.isa.x64.Gpr.RCX, counters);
            a.store(8, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RCX, 16), dev.patchbay.codegen.isa.x64.Gpr.RAX);
            a.lockAluImm(dev.patchbay.codegen.isa.x64.AluOp.ADD, 8, dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Gpr.RCX, 8), 1);
            a.pop(dev.patchbay.codegen.isa.x64.Gpr.RBX);
            a.ret();
        });
        // tgkill(pid, tid, sig)
        long tgkill = code(a -> {
            a.movImm32(dev.patchbay.codegen.isa.x64.Gpr.RAX, 234);
            a.syscall();
            a.ret();
        });
        long act = Native.calloc(1, dev.patchbay.signal.LinuxSignalLayout.SIGACTION_SIZE);
        Native.sigaction(dev.patchbay.signal.LinuxSignalLayout.SIGSEGV, 0, act); // HotSpot's flags and mask
        Native.putLong(act + dev.patchbay.signal.LinuxSignalLayout.SA_HANDLER, segv);
        Native.sigaction(dev.patchbay.signal.LinuxSignalLayout.SIGSEGV, act, previous);
        long act1 = Native.calloc(1, dev.patchbay.signal.LinuxSignalLayout.SIGACTION_SIZE);
        Native.putLong(act1 + dev.patchbay.signal.LinuxSignalLayout.SA_HANDLER, usr1);
        Native.putInt(act1 + dev.patchbay.signal.LinuxSignalLayout.SA_FLAGS,
            dev.patchbay.signal.LinuxSignalLayout.SA_SIGINFO | dev.patchbay.signal.LinuxSignalLayout.SA_RESTART);
        Native.sigaction(sigusr1, act1, 0);
        npesStillWork("npes-before");
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", ArmingTest.SPIN)));
            long n = 3_000_000_000L;
            long[] tid = {0};
            AtomicReference<String> result = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                tid[0] = Native.gettid();
                result.set(outcome(inst, "spin", n));
            });
            guest.start();
            while (tid[0] == 0) Thread.onSpinWait();
            Thread.sleep(50);
            int sent = 0;
            while (guest.isAlive() && sent < 200) {
                Native.call(tgkill, Native.getpid(), tid[0], sigusr1);
                sent++;
                Thread.sleep(2);
            }
            guest.join();
            System.out.println("RESULT guest=" + (result.get().equals("=" + (n * (n - 1) / 2)) ? "ok" : result.get()));
            System.out.println("RESULT signals=" + (Native.getLong(counters + 8) > 0 ? "handled" : "none of " + sent)
                + " probes-fixed=" + (Native.getLong(counters) == Native.getLong(counters + 8) ? "all" : Native.getLong(counters) + "/"
                + Native.getLong(counters + 8)) + " probe=" + Long.toHexString(Native.getLong(counters + 16)));
        }
        npesStillWork("npes");
    }
}
