/*
 * One function of a CLIF file in file order, either parsed or skipped, with the run
 * directives that belong to it. Keeping parsed and skipped functions in one ordered list
 * lets a runner report every function of a file, and attach each `; run:` line to the
 * function it tests even when that function was skipped.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.SourceLoc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One function of a CLIF file, parsed or skipped, with the {@code ; run:} directives that belong to
 * it, so a runner can report every function in file order.
 */
public final class ClifEntry {
    private final Function function;
    private final SkippedFunction skipped;
    private final List<RunDirective> runs = new ArrayList<>();

    private ClifEntry(Function function, SkippedFunction skipped) {
        this.function = function;
        this.skipped = skipped;
    }

    static ClifEntry parsed(Function f) { return new ClifEntry(f, null); }

    static ClifEntry skipped(SkippedFunction s) { return new ClifEntry(null, s); }

    /** A function that parsed but that the backend cannot compile yet: skipped, with its IR kept for the interpreter. */
    static ClifEntry parsedButSkipped(Function f, SkippedFunction s) { return new ClifEntry(f, s); }

    /**
     * Whether the function was skipped.
     *
     * @return true if {@link #skippedFunction()} says why, false if {@link #function()} has it
     */
    public boolean isSkipped() { return skipped != null; }

    /**
     * The parsed function, or null if this entry was skipped.
     *
     * @return the function or null
     */
    public Function function() { return skipped == null ? function : null; }

    /**
     * The parsed IR, also of a function that is skipped because the backend cannot compile it
     * (floats): the interpreter can still run it.
     *
     * @return the function, or null if it did not parse (it uses a type the IR lacks, such as i128)
     */
    public Function parsedFunction() { return function; }

    /**
     * The skip record, or null if this entry was parsed.
     *
     * @return the record or null
     */
    public SkippedFunction skippedFunction() { return skipped; }

    /**
     * The function's name, parsed or skipped.
     *
     * @return the name, without {@code %}
     */
    public String name() { return skipped != null ? skipped.name() : function.name; }

    /**
     * Where the function starts.
     *
     * @return its location in the file
     */
    public SourceLoc loc() { return skipped != null ? skipped.loc() : function.loc; }

    /**
     * The {@code ; run:} directives that follow the function.
     *
     * @return the directives, unmodifiable
     */
    public List<RunDirective> runDirectives() { return Collections.unmodifiableList(runs); }

    void addRun(RunDirective r) { runs.add(r); }
}
