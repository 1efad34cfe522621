/*
 * The module path's way in to Patchbay: `requires dev.patchbay;` reads every Patchbay
 * module and the Micrometer types the profiler's API uses, and resolves what the runtime
 * needs although nothing names it. codegen and runtime are named modules; signal-handler,
 * the profiler and jnr-ffi/jffi are automatic modules, which declare no dependencies, and
 * on the module path a module nobody requires is not resolved. So this descriptor requires:
 *   - dev.patchbay.signal, the site controller the runtime finds through ServiceLoader
 *     (without it interrupts and deadlines cannot reach a running guest);
 *   - org.objectweb.asm, which jnr-ffi generates its bindings with (without it the first
 *     native call fails with NoClassDefFoundError);
 *   - jdk.unsupported, whose sun.misc.Unsafe jffi uses for native memory access when it
 *     can see it (without it jffi silently falls back to slower JNI accessors);
 *   - jdk.httpserver, which the Prometheus exporter serves PrometheusEndpoint with
 *     (without it PrometheusEndpoint.start fails with NoClassDefFoundError:
 *     com/sun/net/httpserver/HttpHandler; examples/java ExportMetrics runs it);
 *   - jdk.jfr, which JfrEvents' events extend (named so that JFR support never depends
 *     on what else the JDK happens to resolve).
 */

/**
 * Patchbay in one module: requires it to read the compiler (dev.patchbay.codegen), the
 * runtime with epoch interruption (dev.patchbay.runtime) and the profiler
 * (dev.patchbay.profiler), with the site controller (dev.patchbay.signal) resolved too.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.patchbay {
    requires transitive dev.patchbay.codegen;
    requires transitive dev.patchbay.runtime;
    requires transitive dev.patchbay.profiler;
    requires transitive micrometer.core;
    requires transitive micrometer.registry.prometheus;
    requires dev.patchbay.signal;
    requires org.objectweb.asm;
    requires jdk.unsupported;
    requires jdk.httpserver;
    requires jdk.jfr;
}
