/*
 * Fault handling is not optional: without the signal-handler artifact on the class path,
 * a guest load from address 0 would crash the JVM, so new Engine() refuses to start and
 * says what to add. Checked in a class loader that sees this module's classes and their
 * dependencies but not this test suite's stand-in provider (TestFaultHandlerProvider).
 */
package dev.patchbay;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EngineNeedsFaultHandlingTest {
    @Test
    void newEngineWithoutTheSignalHandlerArtifactFailsNamingIt() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty() || e.endsWith("test-classes") || e.endsWith("test-classes" + File.separator)) continue;
            urls.add(Path.of(e).toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            Class<?> engine = loader.loadClass(Engine.class.getName());
            assertNotSame(Engine.class, engine, "loaded apart from this suite's classes");
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> engine.getConstructor().newInstance());
            Throwable t = e.getCause();
            assertEquals(IllegalStateException.class, t.getClass(), String.valueOf(t));
            assertTrue(t.getMessage().contains("dev.patchbay:patchbay-signal-handler"), t.getMessage());
            assertTrue(t.getMessage().contains("guest fault"), "says why: " + t.getMessage());
        }
    }

    /**
     * Epoch interruption with no site controller on the class path (this suite has only a
     * stand-in fault handler) fails at once, naming the artifact, instead of compiling
     * epoch sites nothing could arm; noSiteController() says it is meant.
     */
    @Test
    void anEpochEngineWithoutAControllerFailsNamingTheArtifact() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new Engine(new EngineConfig().epochInterruption(true)));
        assertTrue(e.getMessage().contains("dev.patchbay:patchbay-signal-handler"), e.getMessage());
        assertTrue(e.getMessage().contains("noSiteController()"), e.getMessage());
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).noSiteController())) {
            assertFalse(engine.hasSiteController());
        }
    }

    @Test
    void anEngineGetsTheFaultHandlerItWasGiven() {
        int[] created = new int[1], closed = new int[1];
        EngineConfig config = new EngineConfig().noSiteController().faultHandler(() -> {
            created[0]++;
            return new dev.patchbay.spi.FaultHandler() {
                @Override public Registration registerCode(long execStart, long execEnd, int[] siteOffsets) { return () -> { }; }

                @Override public void close() { closed[0]++; }
            };
        });
        try (Engine engine = new Engine(config)) {
            assertFalse(engine.hasSiteController());
            assertEquals(1, created[0]);
        }
        assertEquals(1, closed[0], "closing the Engine releases its fault handler");
    }
}
