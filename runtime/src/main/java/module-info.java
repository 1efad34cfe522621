/**
 * Patchbay's runtime: {@link dev.patchbay.Engine}, {@link dev.patchbay.Module}, {@link
 * dev.patchbay.Store} and the rest of the Wasmtime-shaped API in {@code dev.patchbay},
 * and the SPI a site controller and a fault handler implement in {@code dev.patchbay.spi}.
 */
@SuppressWarnings({"module", "requires-transitive-automatic", "requires-automatic"})
module dev.patchbay.runtime {
    requires transitive dev.patchbay.codegen;
    requires transitive dev.patchbay.wasm;
    requires org.jnrproject.jffi;
    requires org.jnrproject.ffi;

    exports dev.patchbay;
    exports dev.patchbay.spi;
    exports dev.patchbay.debug;
    exports dev.patchbay.internal to dev.patchbay.signal, dev.patchbay.profiler;
    exports dev.patchbay.internal.sys to dev.patchbay.signal, dev.patchbay.profiler;
    // jnr-ffi implements LibC in a class of its own loader's unnamed module: at run time
    // an open package is exported too, which is what lets that class implement it.
    opens dev.patchbay.internal.libc;

    uses dev.patchbay.spi.FaultHandlerProvider;
    uses dev.patchbay.spi.SiteControllerProvider;
}
