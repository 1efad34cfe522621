/*
 * The module path's way in to Patchbay: `requires dev.patchbay;` reads every Patchbay
 * module and the Micrometer types the profiler's API uses, and resolves what the runtime
 * needs although nothing names it: the signal-based site controller (a service the runtime
 * looks up; without it interrupts and deadlines cannot reach a running guest) and ASM,
 * which jnr-ffi generates its bindings with. jnr-ffi is an automatic module, so it cannot
 * say that it needs ASM, and on the module path an explicit module such as
 * org.objectweb.asm is resolved only if some module requires it.
 */

/**
 * Patchbay in one module: requires it to read the compiler (dev.patchbay.codegen), the
 * runtime (dev.patchbay.runtime), epoch interruption (dev.patchbay.epoch) and the profiler
 * (dev.patchbay.profiler), with the site controller (dev.patchbay.signal) resolved too.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.patchbay {
    requires transitive dev.patchbay.codegen;
    requires transitive dev.patchbay.runtime;
    requires transitive dev.patchbay.epoch;
    requires transitive dev.patchbay.profiler;
    requires transitive micrometer.core;
    requires transitive micrometer.registry.prometheus;
    requires dev.patchbay.signal;
    requires org.objectweb.asm;
}
