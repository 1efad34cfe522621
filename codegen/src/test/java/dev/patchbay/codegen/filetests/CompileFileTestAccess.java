/*
 * The filetests' header parsing, for tests in other packages that compile the filetests
 * as CompileFileTest does (InstructionTableTest).
 */
package dev.patchbay.codegen.filetests;

import dev.patchbay.codegen.instrument.InstrumentationPlan;

/** Opens CompileFileTest's header parser to other test packages. */
public final class CompileFileTestAccess {
    private CompileFileTestAccess() {}

    /**
     * The plan a filetest's header names.
     *
     * @param text the filetest
     * @return its plan
     */
    public static InstrumentationPlan plan(String text) { return CompileFileTest.plan(text); }
}
