/*
 * The examples are a named module, so CI also runs them on the module path, with no
 * --add-modules: `requires dev.patchbay` (the module of the dev.patchbay:patchbay jar)
 * reads every Patchbay module and resolves the site controller (and jdk.httpserver,
 * which the Prometheus endpoint serves with). java.net.http is ExportMetrics' own client.
 * On the class path this file is ignored.
 */
module dev.patchbay.examples {
    requires dev.patchbay;
    requires java.net.http;
}
