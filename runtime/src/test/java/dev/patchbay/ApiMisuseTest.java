/*
 * Every public method of the runtime's handles, thrown at a closed Store (and its
 * Instances and Funcs), at a closed Engine, and at a Store that another thread is running.
 * The methods are found by reflection, so a method added later is covered without anyone
 * remembering to: a closed Store must answer IllegalStateException("store is closed")
 * from each (close() and isClosed() excepted), and nothing may crash, hang or touch freed
 * memory. The internal API (RuntimeInternals), which holds what used to be public
 * methods taking raw addresses, gets the same treatment.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.internal.RuntimeInternals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ApiMisuseTest {
    static final String CLIF = String.join("\n",
        "function %id(i64) -> i64 {",
        "block0(v0: i64):",
        "    return v0",
        "}",
        "function %wait(i64) -> i64 {",
        "    fn0 = %host_wait(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}");

    static CompiledModule compiled() {
        return Compiler.compile(ClifParser.parse("misuse.clif", CLIF).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(EpochMode.CHECK)).build());
    }

    /** Methods of the Object contract, and the two that are defined on a closed Store. */
    static final Set<String> ALWAYS_DEFINED = Set.of("close", "isClosed", "equals", "hashCode", "toString");

    static Stream<Method> publicMethods(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic())
            .sorted(Comparator.comparing(Method::toString));
    }

    static Stream<Method> storeMethods() { return publicMethods(Store.class).filter(m -> !ALWAYS_DEFINED.contains(m.getName())); }

    static Stream<Method> instanceAndFuncMethods() {
        return Stream.concat(publicMethods(Instance.class), publicMethods(Func.class)).filter(m -> !ALWAYS_DEFINED.contains(m.getName()));
    }

    /** The internal API's methods on a Store or an Instance (install excepted: it is Store's). */
    static Stream<Method> internalMethods() {
        return Arrays.stream(RuntimeInternals.class.getDeclaredMethods())
            // wasm(Module) reads a Module, which no Store owns: closing a Store does not concern it.
            .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !m.getName().equals("install")
                && !m.getName().equals("wasm"))
            .sorted(Comparator.comparing(Method::toString));
    }

    static Stream<Method> engineMethods() { return publicMethods(Engine.class).filter(m -> !ALWAYS_DEFINED.contains(m.getName())); }

    /** Plausible, non-null arguments, so that what a method checks first is the Store's state. */
    static Object[] args(Method m, Fixture f) {
        Class<?>[] types = m.getParameterTypes();
        Object[] a = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == long.class) a[i] = 1L;
            else if (t == int.class) a[i] = 0;
            else if (t == boolean.class) a[i] = false;
            else if (t == String.class) a[i] = "id";
            else if (t == long[].class) a[i] = new long[] {1};
            else if (t == SitePlan.class) a[i] = SitePlan.on();
            else if (t == SiteKind.class) a[i] = SiteKind.PROFILE_ENTRY;
            else if (t == Module.class) a[i] = f.module;
            else if (t == Instance.class) a[i] = f.instance;
            else if (t == CompiledModule.class) a[i] = f.module.compiled();
            else if (t == SafepointListener.class) a[i] = (SafepointListener) at -> {};
            else if (t == Store.class) a[i] = f.store;
            else if (t == EpochDeadlineCallback.class) a[i] = (EpochDeadlineCallback) s -> EpochDecision.interrupt();
            else if (t == RuntimeListener.class) a[i] = new RuntimeListener() {};
            else fail("no test argument for a parameter of type " + t.getName() + " in " + m);
        }
        return a;
    }

    static Object target(Method m, Fixture f) {
        if (Modifier.isStatic(m.getModifiers())) return null;
        if (m.getDeclaringClass() == Store.class) return f.store;
        if (m.getDeclaringClass() == Instance.class) return f.instance;
        if (m.getDeclaringClass() == Func.class) return f.func;
        return f.engine;
    }

    /** What a call threw, or null if it returned. */
    static Throwable invoke(Method m, Fixture f) {
        try {
            m.invoke(target(m, f), args(m, f));
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    static final class Fixture implements AutoCloseable {
        final Engine engine = new Engine(new EngineConfig().noSiteController().epochInterruption(true));
        final Module module = engine.load(compiled());
        final Store store = new Store(engine);
        final CountDownLatch inHost = new CountDownLatch(1), release = new CountDownLatch(1);
        final Instance instance = new Linker().define("host_wait", (c, a) -> {
            inHost.countDown();
            assertTrue(release.await(30, TimeUnit.SECONDS));
            return a[0];
        }).instantiate(store, module);
        final Func func = instance.func("id");

        @Override public void close() {
            release.countDown();
            if (!store.isClosed()) store.close();
            engine.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"storeMethods", "instanceAndFuncMethods", "internalMethods"})
    void everyMethodOfAClosedStoreSaysItIsClosed(Method m) {
        try (Fixture f = new Fixture()) {
            f.store.close();
            Throwable t = invoke(m, f);
            assertNotNull(t, m + " answered on a closed Store");
            assertEquals(IllegalStateException.class, t.getClass(), () -> m + " threw " + t);
            assertEquals("store is closed", t.getMessage(), m.toString());
        }
    }

    @Test
    void closeAndIsClosedStayDefinedOnAClosedStore() {
        try (Fixture f = new Fixture()) {
            f.store.close();
            f.store.close();
            assertTrue(f.store.isClosed());
        }
    }

    /** The reflection above really sees the API: a guard against a filter that drops everything. */
    @Test
    void theSuiteCoversTheWholeSurface() {
        List<String> names = new ArrayList<>();
        storeMethods().forEach(m -> names.add(m.getName()));
        assertTrue(names.containsAll(List.of("interrupt", "request", "instantiate", "fuelRemaining", "addSafepointListener", "setEpochDeadline")), names.toString());
        assertTrue(instanceAndFuncMethods().anyMatch(m -> m.getName().equals("call")));
        List<String> internal = new ArrayList<>();
        internalMethods().forEach(m -> internal.add(m.getName()));
        assertTrue(internal.containsAll(List.of("setHook", "vmctxAddress", "backtrace", "frameAt", "codeAddress")), internal.toString());
    }

    /** Store.instances() is a read-only snapshot: it cannot add to or drop from the Store. */
    @Test
    void theInstancesOfAStoreAreAReadOnlySnapshot() {
        try (Fixture f = new Fixture()) {
            List<Instance> seen = f.store.instances();
            assertEquals(List.of(f.instance), seen);
            assertThrows(UnsupportedOperationException.class, () -> seen.add(f.instance));
            assertThrows(UnsupportedOperationException.class, seen::clear);
            Instance second = new Linker().define("host_wait", (c, a) -> a[0]).instantiate(f.store, f.module);
            assertEquals(List.of(f.instance), seen, "a snapshot does not change");
            assertEquals(List.of(f.instance, second), f.store.instances());
        }
    }

    /** The internal API refuses what the public methods it replaced refused. */
    @Test
    void theInternalApiKeepsTheChecksOfThePublicMethodsItReplaced() {
        try (Fixture f = new Fixture()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuntimeInternals.setHook(f.store, SiteKind.EPOCH, 1));
            assertTrue(e.getMessage().contains("belongs to the runtime"), e.getMessage());
            long code = RuntimeInternals.codeAddress(f.instance);
            assertNotEquals(0, code);
            assertNotEquals(0, RuntimeInternals.vmctxAddress(f.store));
            long id = code + f.module.compiled().function("id").start;
            assertEquals(new GuestFrame("id", 0), RuntimeInternals.frameAt(f.store, id));
            assertNull(RuntimeInternals.frameAt(f.store, 8));
            assertEquals(List.of(), RuntimeInternals.backtrace(f.store, id, 0), "not the owner (no call runs): no frames");
            // 0 restores the default hook, which counts.
            RuntimeInternals.setHook(f.store, SiteKind.PROFILE_ENTRY, 0);
            assertTrue(f.store.request(SitePlan.on().kind(SiteKind.PROFILE_ENTRY)).isDone(), "an idle Store is patched at once");
            long hits = f.store.hookHits(SiteKind.PROFILE_ENTRY);
            assertEquals(3L, f.func.call(3)[0]);
            assertEquals(hits + 1, f.store.hookHits(SiteKind.PROFILE_ENTRY));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engineMethods")
    void aClosedEngineAnswersOrSaysItIsClosed(Method m) {
        Engine engine = new Engine(new EngineConfig().noSiteController().epochInterruption(true));
        Fixture f = new Fixture();
        try {
            engine.close();
            Throwable t;
            try {
                m.invoke(engine, args(m, f));
                t = null;
            } catch (InvocationTargetException e) {
                t = e.getCause();
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            if (t != null) {
                assertEquals(IllegalStateException.class, t.getClass(), m + " threw " + t);
                assertEquals("Engine is closed", t.getMessage());
            }
        } finally {
            f.close();
        }
    }

    @Test
    void aClosedEngineMakesNoStoreAndLoadsNoModule() {
        Engine engine = new Engine();
        CompiledModule cm = compiled();
        engine.close();
        int before = StoreTable.liveCount();
        for (int i = 0; i < 1000; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Store(engine));
            assertEquals("Engine is closed", e.getMessage());
        }
        assertEquals(before, StoreTable.liveCount(), "nothing was allocated for the Stores that failed");
        assertEquals(0, engine.liveStores());
        assertThrows(IllegalStateException.class, () -> engine.load(cm));
    }

    /** A null listener is refused where it is added, not on the guest thread of the first event. */
    @Test
    void nullListenersAreRefusedWhereTheyAreAdded() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            assertEquals("listener is null", assertThrows(IllegalArgumentException.class, () -> engine.addListener(null)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.addSafepointListener(null));
        }
    }

    /**
     * A Store running on another thread: every method either works (the thread-safe ones)
     * or throws an exception that says what is wrong; none crashes, blocks, or lets a second
     * thread into the guest.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource({"storeMethods", "instanceAndFuncMethods", "internalMethods"})
    void aStoreRunningOnAnotherThreadIsNeverEnteredTwice(Method m) throws Exception {
        try (Fixture f = new Fixture()) {
            AtomicReference<Object> got = new AtomicReference<>();
            Thread owner = new Thread(() -> {
                try {
                    got.set(f.instance.func("wait").call(7)[0]);
                } catch (Throwable t) {
                    got.set(t);
                }
            }, "misuse-owner");
            owner.setDaemon(true);
            owner.start();
            assertTrue(f.inHost.await(10, TimeUnit.SECONDS));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> thrown.set(invoke(m, f)));
            caller.start();
            caller.join(10_000);
            assertFalse(caller.isAlive(), m + " blocked while another thread ran the Store");
            Throwable t = thrown.get();
            if (t != null) {
                assertTrue(t instanceof IllegalStateException || t instanceof IllegalArgumentException, () -> m + " threw " + t);
                assertNotNull(t.getMessage(), m.toString());
            }
            if (m.getName().equals("call")) {
                assertNotNull(t, "a second thread entered the guest");
                assertTrue(t.getMessage().startsWith("Store is running on thread 'misuse-owner'"), t.getMessage());
            }
            f.release.countDown();
            owner.join(10_000);
            Object r = got.get();
            // interrupt() and interruptCurrentOrNext() may rightly stop the owner's call.
            assertTrue(Long.valueOf(7).equals(r) || r instanceof Trap, () -> "the owner's call ended with " + r);
        }
    }

    /**
     * Regression (issue 13, item 6): when registering an instance's code failed (the site
     * registry was full), instantiate threw but the instance stayed in the Store, callable,
     * with faults nobody would catch. Instantiation is all or nothing.
     */
    @Test
    void aFailedInstantiateLeavesNothingBehind() {
        java.util.concurrent.atomic.AtomicInteger registrations = new java.util.concurrent.atomic.AtomicInteger();
        dev.patchbay.spi.FaultHandlerProvider full = () -> new dev.patchbay.spi.FaultHandler() {
            @Override public Registration registerCode(long execStart, long execEnd, int[] siteOffsets) {
                if (registrations.get() >= 1) throw new IllegalStateException("site registry is full (1 regions)");
                registrations.incrementAndGet();
                return () -> registrations.decrementAndGet();
            }

            @Override public void close() {}
        };
        try (Engine engine = new Engine(new EngineConfig().faultHandler(full)); Store store = new Store(engine)) {
            Module m = engine.load(Compiler.compile(ClifParser.parse("id.clif", CLIF.substring(0, CLIF.indexOf("function %wait"))).functions(),
                CompileOptions.defaults()));
            Instance first = store.instantiate(m);
            int mapped = dev.patchbay.internal.sys.CodeMemory.liveCount();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.instantiate(m));
            assertTrue(e.getMessage().contains("full"), e.getMessage());
            assertEquals(List.of(first), store.instances(), "the failed instance is not in the Store");
            assertEquals(mapped, dev.patchbay.internal.sys.CodeMemory.liveCount(), "its code memory was given back");
            assertEquals(1, registrations.get());
            assertEquals(5L, first.func("id").call(5)[0], "the Store still works");
        }
    }
}
