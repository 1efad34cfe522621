/*
 * The implementation of RuntimeInternals (dev.patchbay.internal): the raw-address
 * operations that left Store's and Instance's public API. Store installs it when it is
 * initialised. Each method checks the Store is open first, as the public methods do.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.internal.CountingHooks;
import dev.patchbay.internal.RuntimeInternals;

import java.util.List;

final class StoreInternalAccess implements RuntimeInternals.Access {
    @Override public long vmctxAddress(Store store) {
        StoreCore core = store.core();
        core.checkOpen();
        return core.vmctxAddress();
    }

    @Override public void setHook(Store store, SiteKind kind, long nativeAddress) {
        if (kind == null) throw new IllegalArgumentException("site kind is null");
        StoreCore core = store.core();
        core.checkOpen();
        if (kind == SiteKind.EPOCH && store.engine().epochInterruption()) {
            throw new IllegalArgumentException("the EPOCH hook belongs to the runtime in an Engine with epoch interruption");
        }
        core.vmctx.setHook(kind, nativeAddress == 0 ? CountingHooks.address(kind) : nativeAddress);
    }

    @Override public List<GuestFrame> backtrace(Store store, long pc, long fp) {
        StoreCore core = store.core();
        core.checkOpen();
        return core.backtrace(pc, fp);
    }

    @Override public GuestFrame frameAt(Store store, long pc) {
        StoreCore core = store.core();
        core.checkOpen();
        return core.frameAt(pc);
    }

    @Override public dev.patchbay.wasm.translate.TranslatedModule wasm(Module module) { return module.wasm(); }

    @Override public long codeAddress(Instance instance) {
        instance.store().checkOpen();
        return instance.loaded().code().execBase();
    }
}
