/*
 * The public API has no raw addresses and no internal types (docs/architecture.md, the
 * invariant "the public API has no raw addresses"). Found by reflection over every class
 * file of the packages dev.patchbay and dev.patchbay.spi, so a method added later is
 * checked without anyone remembering to:
 *
 *  - no public or protected member of a public type of dev.patchbay is named like an
 *    address (address, vmctx, pc, fp);
 *  - every long in such a member's signature (parameter, result, field) is listed below,
 *    with what it counts: a new one fails until someone says it is not an address;
 *  - no public signature in dev.patchbay or dev.patchbay.spi mentions a type outside the
 *    API packages (the runtime's internal packages, codegen's backend), type arguments
 *    included;
 *  - the runtime's module descriptor exports dev.patchbay and dev.patchbay.spi to all and
 *    its internal packages only to Patchbay's own modules.
 *
 * The SPI (dev.patchbay.spi) is exempt from the address rules: it is what a native site
 * controller implements, and code addresses are its subject.
 */
package dev.patchbay;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class PublicApiTest {
    /**
     * Every public member of dev.patchbay whose signature has a long, and what the long is.
     * Adding one here is saying, in review, that it is not an address.
     */
    static final Map<String, String> LONGS_THAT_ARE_NOT_ADDRESSES = Map.ofEntries(
        Map.entry("Engine.currentEpoch", "the epoch count"),
        Map.entry("EpochDecision.ticks", "epoch ticks"),
        Map.entry("EpochDecision.continueFor", "epoch ticks"),
        Map.entry("EpochDecision.yieldFor", "epoch ticks"),
        Map.entry("EpochMetrics.interrupts", "a count"),
        Map.entry("EpochMetrics.continues", "a count"),
        Map.entry("EpochMetrics.yields", "a count"),
        Map.entry("EpochMetrics.deadlinesReached", "a count"),
        Map.entry("EpochOutcome.ticks", "epoch ticks"),
        Map.entry("Func.call", "guest argument and result values"),
        Map.entry("Hostcall.call", "guest argument and result values"),
        Map.entry("Module.MAX_SOURCE_BYTES", "bytes"),
        Map.entry("PatchRequest.generation", "a request number"),
        Map.entry("PatchRequest.latencyNanos", "nanoseconds"),
        Map.entry("RuntimeListener.onEpochDeadline", "nanoseconds"),
        Map.entry("RuntimeListener.onPatchBatch", "nanoseconds"),
        Map.entry("RuntimeListener.onRequestApplied", "nanoseconds"),
        Map.entry("SiteMetrics.requests", "a count"),
        Map.entry("SiteMetrics.arms", "a count"),
        Map.entry("SiteMetrics.sitesArmed", "a count"),
        Map.entry("SiteMetrics.sitesPatched", "a count"),
        Map.entry("SiteMetrics.trapsTaken", "a count"),
        Map.entry("SiteMetrics.requestsApplied", "a count"),
        Map.entry("SiteMetrics.appliedNanosTotal", "nanoseconds"),
        Map.entry("SiteMetrics.appliedNanosMax", "nanoseconds"),
        Map.entry("SiteMetrics.appliedNanosQuantile", "nanoseconds"),
        Map.entry("Store.setFuel", "fuel units"),
        Map.entry("Store.fuelRemaining", "fuel units"),
        Map.entry("Store.setStackLimit", "bytes"),
        Map.entry("Store.DEFAULT_STACK_BYTES", "bytes"),
        Map.entry("Store.MAX_STACK_BYTES", "bytes"),
        Map.entry("Store.hookHits", "a count"),
        Map.entry("Store.setEpochDeadline", "epoch ticks"),
        Map.entry("WasmFunction.call", "guest argument and result values"),
        Map.entry("WasmHostFunction.call", "guest argument and result values"),
        Map.entry("WasmMultiValueHostFunction.call", "guest argument and result values"),
        Map.entry("WasmGlobal.create", "a guest value"),
        Map.entry("WasmGlobal.get", "a guest value"),
        Map.entry("WasmGlobal.set", "a guest value"),
        Map.entry("WasmMemory.MAX_PAGES", "Wasm pages"),
        Map.entry("WasmMemory.PAGE", "bytes"),
        Map.entry("WasmMemory.create", "Wasm pages"),
        Map.entry("WasmMemory.grow", "Wasm pages"),
        Map.entry("WasmMemory.pages", "Wasm pages"),
        Map.entry("WasmMemory.read", "an offset in the guest's memory"),
        Map.entry("WasmMemory.write", "an offset in the guest's memory"),
        Map.entry("WasmTable.MAX_ELEMENTS", "a count"),
        Map.entry("WasmTable.create", "a count"),
        Map.entry("WasmTable.get", "an element index, and a guest reference value (opaque)"),
        Map.entry("WasmTable.grow", "a count, and a guest reference value (opaque)"),
        Map.entry("WasmTable.size", "a count"),
        Map.entry("Breakpoint.hits", "a count"),
        Map.entry("LogpointMessage.<init>", "a count"),
        Map.entry("LogpointMessage.hit", "a count"),
        // A guest value's bits as the program holds them (an i64 may hold anything, an
        // address too, but the guest's own, which the guest could print as well).
        Map.entry("Variable.<init>", "a guest value"),
        Map.entry("Variable.value", "a guest value"));

    /** Names that say "address": a member so named fails whatever its type. */
    static final Pattern ADDRESS_NAME = Pattern.compile("(?i).*(address|vmctx).*|(pc|fp)|.*[a-z](Pc|Fp|PC|FP)");

    /** Packages a public signature may mention. Everything else (internal, backend) is not API. */
    static final Set<String> API_PACKAGES = Set.of(
        "dev.patchbay", "dev.patchbay.spi", "dev.patchbay.debug",
        // codegen's front end, which the runtime's API speaks: options, IR types, sites, modules
        "dev.patchbay.codegen", "dev.patchbay.codegen.ir", "dev.patchbay.codegen.instrument",
        "dev.patchbay.codegen.machinst", "dev.patchbay.codegen.clif",
        // wasm's model, which the Wasm API speaks: FuncType, ValType, GlobalType
        "dev.patchbay.wasm");

    static Path classesRoot() {
        try {
            return Path.of(Store.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Every public type of a package, nested public types included, from its class files. */
    static List<Class<?>> publicTypes(String pkg) {
        Path dir = classesRoot().resolve(pkg.replace('.', '/'));
        assertTrue(Files.isDirectory(dir), "the runtime's classes are a directory here: " + dir);
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".class") || n.equals("module-info.class") || n.equals("package-info.class")) continue;
                Class<?> c = Class.forName(pkg + "." + n.substring(0, n.length() - ".class".length()), false, PublicApiTest.class.getClassLoader());
                if (isApi(c)) types.add(c);
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        return types;
    }

    static boolean isApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isSynthetic() || k.isAnonymousClass() || k.isLocalClass()) return false;
        }
        return true;
    }

    /** Public and protected members; protected ones of final classes cannot be reached. */
    static List<Member> apiMembers(Class<?> c) {
        List<Member> ms = new ArrayList<>();
        Stream.of(c.getDeclaredMethods()).filter(m -> !m.isSynthetic() && !m.isBridge()).forEach(ms::add);
        ms.addAll(List.of(c.getDeclaredConstructors()));
        ms.addAll(List.of(c.getDeclaredFields()));
        ms.removeIf(m -> !(Modifier.isPublic(m.getModifiers())
            || (Modifier.isProtected(m.getModifiers()) && !Modifier.isFinal(c.getModifiers()))));
        return ms;
    }

    static String key(Member m) {
        String owner = m.getDeclaringClass().getName().substring(m.getDeclaringClass().getPackageName().length() + 1).replace('$', '.');
        return owner + "." + (m instanceof Constructor ? "<init>" : m.getName());
    }

    /** The generic types a member's signature mentions: parameters, result, field, exceptions. */
    static List<Type> signatureTypes(Member m) {
        List<Type> ts = new ArrayList<>();
        if (m instanceof Field f) ts.add(f.getGenericType());
        if (m instanceof Executable e) {
            ts.addAll(List.of(e.getGenericParameterTypes()));
            ts.addAll(List.of(e.getGenericExceptionTypes()));
        }
        if (m instanceof Method me) ts.add(me.getGenericReturnType());
        return ts;
    }

    /** The classes a generic type names, type arguments, bounds and array elements included. */
    static void classesOf(Type t, Set<Class<?>> out) {
        if (t instanceof Class<?> c) {
            while (c.isArray()) c = c.getComponentType();
            out.add(c);
        } else if (t instanceof ParameterizedType p) {
            classesOf(p.getRawType(), out);
            for (Type a : p.getActualTypeArguments()) classesOf(a, out);
        } else if (t instanceof GenericArrayType g) {
            classesOf(g.getGenericComponentType(), out);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) classesOf(b, out);
            for (Type b : w.getLowerBounds()) classesOf(b, out);
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) if (b != Object.class) classesOf(b, out);
        }
    }

    static boolean hasLong(Member m) {
        Set<Class<?>> cs = new TreeSetOfClasses();
        for (Type t : signatureTypes(m)) classesOf(t, cs);
        return cs.contains(long.class) || cs.contains(Long.class);
    }

    /** A set of classes ordered by name, for stable messages. */
    static final class TreeSetOfClasses extends TreeSet<Class<?>> {
        TreeSetOfClasses() { super((a, b) -> a.getName().compareTo(b.getName())); }
    }

    /** The public types the address rules cover: the API and the debugger's API, not the SPI. */
    static List<Class<?>> apiTypes() {
        List<Class<?>> out = new ArrayList<>(publicTypes("dev.patchbay"));
        out.addAll(publicTypes("dev.patchbay.debug"));
        return out;
    }

    @Test
    void noPublicMemberIsNamedLikeAnAddress() {
        List<String> bad = new ArrayList<>();
        for (Class<?> c : apiTypes()) {
            for (Member m : apiMembers(c)) if (ADDRESS_NAME.matcher(m.getName()).matches()) bad.add(key(m));
        }
        assertEquals(List.of(), bad, "public members named like addresses: move them to dev.patchbay.internal.RuntimeInternals");
    }

    @Test
    void everyLongInThePublicApiIsKnownNotToBeAnAddress() {
        Set<String> seen = new TreeSet<>(), unknown = new TreeSet<>();
        for (Class<?> c : apiTypes()) {
            for (Member m : apiMembers(c)) {
                if (!hasLong(m)) continue;
                seen.add(key(m));
                if (!LONGS_THAT_ARE_NOT_ADDRESSES.containsKey(key(m))) unknown.add(key(m));
            }
        }
        assertEquals(Set.of(), unknown, "public members with a long that is not listed as a count, a time or a size: "
            + "if one is an address, it belongs in dev.patchbay.internal.RuntimeInternals; if not, list it with its unit");
        Set<String> stale = new TreeSet<>(LONGS_THAT_ARE_NOT_ADDRESSES.keySet());
        stale.removeAll(seen);
        assertEquals(Set.of(), stale, "listed members that no longer exist (keep the list honest)");
    }

    @Test
    void publicSignaturesMentionOnlyApiTypes() {
        Map<String, Set<String>> bad = new TreeMap<>();
        for (String pkg : List.of("dev.patchbay", "dev.patchbay.spi", "dev.patchbay.debug")) {
            for (Class<?> c : publicTypes(pkg)) {
                List<Type> supers = new ArrayList<>(List.of(c.getGenericInterfaces()));
                if (c.getGenericSuperclass() != null) supers.add(c.getGenericSuperclass());
                Map<String, List<Type>> sigs = new TreeMap<>();
                sigs.put(c.getSimpleName() + " (supertypes)", supers);
                for (Member m : apiMembers(c)) sigs.computeIfAbsent(key(m), k -> new ArrayList<>()).addAll(signatureTypes(m));
                sigs.forEach((member, types) -> {
                    Set<Class<?>> cs = new TreeSetOfClasses();
                    for (Type t : types) classesOf(t, cs);
                    for (Class<?> k : cs) {
                        if (k.isPrimitive() || k.getPackageName().startsWith("java.")) continue;
                        if (!API_PACKAGES.contains(k.getPackageName())) bad.computeIfAbsent(member, x -> new TreeSet<>()).add(k.getName());
                    }
                });
            }
        }
        assertEquals(Map.of(), bad, "public signatures that mention types outside the API packages " + API_PACKAGES);
    }

    /** The reflection above really sees the API: a guard against a filter that drops everything. */
    @Test
    void theChecksSeeTheWholeApi() {
        List<String> names = publicTypes("dev.patchbay").stream().map(Class::getSimpleName).collect(Collectors.toList());
        assertTrue(names.containsAll(List.of("Store", "Engine", "Instance", "Func", "Module", "Safepoint", "GuestFrame", "EpochTicker")), names.toString());
        assertFalse(names.contains("StoreCore"), "package-private classes are not API");
        assertTrue(apiMembers(Store.class).stream().anyMatch(m -> m.getName().equals("interrupt")));
        assertTrue(ADDRESS_NAME.matcher("vmctxAddress").matches() && ADDRESS_NAME.matcher("codeAddress").matches()
            && ADDRESS_NAME.matcher("guestFp").matches() && ADDRESS_NAME.matcher("pc").matches()
            && !ADDRESS_NAME.matcher("epochMode").matches() && !ADDRESS_NAME.matcher("interruptCurrentOrNext").matches());
        assertTrue(hasLong(method(Store.class, "setFuel")) && !hasLong(method(Store.class, "interrupt")));
        assertTrue(publicTypes("dev.patchbay.spi").stream().anyMatch(c -> c.getSimpleName().equals("SiteController")));
    }

    static Method method(Class<?> c, String name) {
        return Stream.of(c.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theModuleDescriptorExportsTheInternalPackagesOnlyToPatchbaysModules() throws IOException {
        Path info = classesRoot().resolve("module-info.class");
        assertTrue(Files.exists(info), "runtime has a module descriptor: " + info);
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(info)) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("dev.patchbay.runtime", d.name());
        Map<String, Set<String>> exports = new TreeMap<>();
        for (ModuleDescriptor.Exports e : d.exports()) exports.put(e.source(), e.isQualified() ? new TreeSet<>(e.targets()) : Set.of("*"));
        Set<String> ours = Set.of("dev.patchbay.profiler", "dev.patchbay.signal");
        assertEquals(Set.of("*"), exports.get("dev.patchbay"));
        assertEquals(Set.of("*"), exports.get("dev.patchbay.spi"));
        assertEquals(Set.of("*"), exports.get("dev.patchbay.debug"));
        for (String pkg : d.packages()) {
            if (pkg.equals("dev.patchbay") || pkg.equals("dev.patchbay.spi") || pkg.equals("dev.patchbay.debug")) continue;
            Set<String> to = exports.getOrDefault(pkg, Set.of());
            assertFalse(to.contains("*"), pkg + " is exported to everyone");
            assertTrue(ours.containsAll(to), pkg + " is exported to " + to + ", beyond " + ours);
        }
        assertEquals(ours, exports.get("dev.patchbay.internal"), "the profiler and the signal handlers use the internal API");
        for (ModuleDescriptor.Opens o : d.opens()) {
            assertFalse(o.source().equals("dev.patchbay") || o.source().equals("dev.patchbay.internal"), "opens " + o);
        }
    }
}
