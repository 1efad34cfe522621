/**
 * Patch sites: what the instrumentation pass inserts ({@link
 * dev.patchbay.codegen.instrument.InstrumentationPlan}), the kinds of site ({@link
 * dev.patchbay.codegen.instrument.SiteKind}) and how epoch sites are emitted ({@link
 * dev.patchbay.codegen.instrument.EpochMode}). Every site ships in its off form, which costs
 * nothing or next to nothing; the runtime patches it on while the code runs.
 */
package dev.patchbay.codegen.instrument;
