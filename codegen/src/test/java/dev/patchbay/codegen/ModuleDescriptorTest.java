/*
 * Pins codegen's module descriptor: which packages are API (exported to everyone), which
 * internals go to which Patchbay module, and that the rest stays inside. A package moved from
 * one list to another is an API decision, so it should show up as a change to this test and
 * to docs/architecture.md ("codegen's packages"). The tests run on the module path (surefire
 * patches them into the module), so the descriptor read here is the shipped one.
 */
package dev.patchbay.codegen;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleDescriptorTest {
    private static final Set<String> PATCHBAY_MODULES = Set.of("dev.patchbay.runtime", "dev.patchbay.signal", "dev.patchbay.profiler");

    private static ModuleDescriptor descriptor() {
        Module m = Compiler.class.getModule();
        assertTrue(m.isNamed(), "codegen's tests run on the module path");
        ModuleDescriptor d = m.getDescriptor();
        assertNotNull(d);
        assertEquals("dev.patchbay.codegen", d.name());
        return d;
    }

    @Test
    void theApiPackagesAreExportedToEveryone() {
        Set<String> api = new TreeSet<>();
        for (ModuleDescriptor.Exports e : descriptor().exports()) if (!e.isQualified()) api.add(e.source());
        assertEquals(new TreeSet<>(Set.of(
            "dev.patchbay.codegen",
            "dev.patchbay.codegen.clif",
            "dev.patchbay.codegen.instrument",
            "dev.patchbay.codegen.ir",
            "dev.patchbay.codegen.machinst",
            "dev.patchbay.codegen.verify")), api);
    }

    @Test
    void internalsGoOnlyToThePatchbayModulesThatUseThem() {
        Map<String, Set<String>> qualified = new TreeMap<>();
        for (ModuleDescriptor.Exports e : descriptor().exports()) if (e.isQualified()) qualified.put(e.source(), e.targets());
        assertEquals(Map.of(
            "dev.patchbay.codegen.isa.x64", PATCHBAY_MODULES,
            "dev.patchbay.codegen.vm", PATCHBAY_MODULES), qualified);
    }

    @Test
    void codegenNeedsOnlyTheJdkBaseAndOpensNothing() {
        ModuleDescriptor d = descriptor();
        Set<String> requires = new TreeSet<>();
        for (ModuleDescriptor.Requires r : d.requires()) requires.add(r.name());
        assertEquals(Set.of("java.base"), requires);
        assertTrue(d.opens().isEmpty(), "the shipped descriptor opens nothing; tests get their access from surefire");
        assertTrue(!d.isOpen());
    }
}
