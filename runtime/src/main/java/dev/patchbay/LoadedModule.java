/*
 * One module as a Store has loaded it: the Store's private copy of the code, the
 * hostcalls its imports resolved to, and its patch sites. This is the runtime's side of an
 * Instance. It refers to its public Instance only weakly, so that the Store's internals,
 * which a process-wide table reaches, never keep a dropped Store alive.
 */
package dev.patchbay;

import dev.patchbay.internal.sys.CodeMemory;

import java.lang.ref.WeakReference;

final class LoadedModule {
    private final Module module;
    private final CodeMemory code;
    private final Hostcall[] imports;
    private WeakReference<Instance> handle = new WeakReference<>(null);
    /** Why interrupt() cannot stop this code (EpochState decides at instantiation), or null. */
    private volatile String notInterruptible;

    LoadedModule(Module module, CodeMemory code, Hostcall[] imports) {
        this.module = module;
        this.code = code;
        this.imports = imports.clone();
    }

    Module module() { return module; }

    CodeMemory code() { return code; }

    Hostcall hostcall(int index) { return imports[index]; }

    String notInterruptible() { return notInterruptible; }

    void setNotInterruptible(String why) { notInterruptible = why; }

    void setHandle(Instance i) { handle = new WeakReference<>(i); }

    /** The public Instance; alive while a call into it runs (Store.invoke keeps it reachable). */
    Instance handle() {
        Instance i = handle.get();
        if (i == null) throw new IllegalStateException("the instance is no longer reachable");
        return i;
    }
}
