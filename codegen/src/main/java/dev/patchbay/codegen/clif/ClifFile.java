/*
 * The result of parsing one CLIF file: its header (test commands, targets, settings),
 * warnings about things we accepted but ignore, and its functions in file order with
 * their run directives. A runner walks entries(); a compiler wants functions().
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.Function;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed CLIF file: its header (test commands, targets, settings), warnings about accepted but
 * ignored input, and its functions with their run directives.
 */
public final class ClifFile {
    private final String fileName;
    private final List<String> tests;
    private final List<Target> targets;
    private final List<Setting> settings;
    private final List<String> warnings;
    private final List<ClifEntry> entries;

    ClifFile(String fileName, List<String> tests, List<Target> targets, List<Setting> settings,
             List<String> warnings, List<ClifEntry> entries) {
        this.fileName = fileName;
        this.tests = List.copyOf(tests);
        this.targets = List.copyOf(targets);
        this.settings = List.copyOf(settings);
        this.warnings = List.copyOf(warnings);
        this.entries = List.copyOf(entries);
    }

    /**
     * The name the file was parsed under.
     *
     * @return the name given to {@link ClifParser#parse}
     */
    public String fileName() { return fileName; }

    /**
     * The words after each {@code test} line, e.g. "run", "interpret".
     *
     * @return the test commands in file order, unmodifiable
     */
    public List<String> tests() { return tests; }

    /**
     * The {@code target} lines.
     *
     * @return the targets in file order, unmodifiable
     */
    public List<Target> targets() { return targets; }

    /**
     * Every {@code set} setting in file order, repeats included.
     *
     * @return the settings, unmodifiable
     */
    public List<Setting> settings() { return settings; }

    /**
     * Formatted {@code file:line:col: warning: ...} lines, about input accepted but ignored.
     *
     * @return the warnings, unmodifiable
     */
    public List<String> warnings() { return warnings; }

    /**
     * Every function of the file, parsed or skipped, in file order.
     *
     * @return the entries, unmodifiable
     */
    public List<ClifEntry> entries() { return entries; }

    /**
     * The functions that parsed and that the backend compiles, in file order (not those skipped
     * for the backend, see {@link #parsedFunctions()}). These are the parsed functions
     * themselves, not copies; compiling them does not change them.
     *
     * @return a new list of the parsed functions
     */
    public List<Function> functions() {
        List<Function> out = new ArrayList<>();
        for (ClifEntry e : entries) if (!e.isSkipped()) out.add(e.function());
        return out;
    }

    /**
     * Every function whose IR parsed, in file order: those of {@link #functions()} and those
     * skipped only because the backend cannot compile them yet (floats). This is what the
     * interpreter runs.
     *
     * @return a new list of the parsed functions
     */
    public List<Function> parsedFunctions() {
        List<Function> out = new ArrayList<>();
        for (ClifEntry e : entries) if (e.parsedFunction() != null) out.add(e.parsedFunction());
        return out;
    }

    /**
     * The last function with a name whose IR parsed, compiled or not.
     *
     * @param name the name, without {@code %}
     * @return the function, or null if none parsed with that name
     */
    public Function parsedFunction(String name) {
        Function found = null;
        for (ClifEntry e : entries) if (e.parsedFunction() != null && e.name().equals(name)) found = e.parsedFunction();
        return found;
    }

    /**
     * The functions that were skipped, in file order.
     *
     * @return a new list of the skip records
     */
    public List<SkippedFunction> skipped() {
        List<SkippedFunction> out = new ArrayList<>();
        for (ClifEntry e : entries) if (e.isSkipped()) out.add(e.skippedFunction());
        return out;
    }

    /**
     * The last parsed function with a name.
     *
     * @param name the name, without {@code %}
     * @return the function, or null if no parsed function has that name
     */
    public Function function(String name) {
        Function found = null;
        for (ClifEntry e : entries) if (!e.isSkipped() && e.name().equals(name)) found = e.function();
        return found;
    }

    /**
     * All run directives in file order of their entries.
     *
     * @return a new list of the directives
     */
    public List<RunDirective> runDirectives() {
        List<RunDirective> out = new ArrayList<>();
        for (ClifEntry e : entries) out.addAll(e.runDirectives());
        return out;
    }
}
