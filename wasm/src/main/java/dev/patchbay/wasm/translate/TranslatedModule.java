/*
 * What the translator hands the runtime: the IR functions to compile as one Patchbay module,
 * and the names by which the runtime finds each Wasm function's code and resolves the
 * hostcalls that code imports.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.codegen.ir.Function;
import dev.patchbay.wasm.WasmModule;

import java.util.List;
import java.util.Map;

/**
 * A validated Wasm module translated to IR.
 *
 * @param module the decoded, validated module
 * @param layout the instance block its code reads
 * @param functions the IR: one function per defined Wasm function, one wrapper per imported one
 * @param boundsChecks whether memory accesses compare against the memory's length in code
 *     (otherwise the guard region catches them)
 * @param locals by IR function name, which IR value holds each Wasm local where (defined
 *     functions only)
 */
public record TranslatedModule(WasmModule module, InstanceLayout layout, List<Function> functions, boolean boundsChecks,
                               Map<String, WasmLocals> locals) {
    /** The prefix of the hostcall an imported function's wrapper calls: {@code __import3}. */
    public static final String IMPORT_PREFIX = "__import";

    public TranslatedModule {
        functions = List.copyOf(functions);
        locals = Map.copyOf(locals);
    }

    /**
     * The IR name of a Wasm function: a defined one's code, or an imported one's wrapper.
     * It is {@code f} and the index, then the name section's name if there is one (letters,
     * digits and underscores kept), so backtraces and profiles name both.
     *
     * @param index the Wasm function index
     * @return its IR function name, such as {@code f3} or {@code f3_fib}
     */
    public String functionName(int index) { return functionName(module, index); }

    /**
     * The IR name of a Wasm function, as {@link #functionName(int)} gives it, for a module not
     * translated here (a debugger mapping source lines to functions).
     *
     * @param module the decoded module
     * @param index the Wasm function index
     * @return its IR function name
     */
    public static String functionName(WasmModule module, int index) {
        String n = module.names().functionNames().get((long) index);
        if (n == null || n.isEmpty()) return "f" + index;
        StringBuilder sb = new StringBuilder("f").append(index).append('_');
        for (int i = 0; i < n.length() && sb.length() < 80; i++) {
            char c = n.charAt(i);
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? c : '_');
        }
        return sb.toString();
    }

    /**
     * The hostcall name of an imported function.
     *
     * @param index the Wasm function index, below the imported function count
     * @return {@code __importN}
     */
    public static String importName(int index) { return IMPORT_PREFIX + index; }
}
