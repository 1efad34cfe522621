/*
 * Problem: a user debugging a Wasm program compiled from C thinks in C lines (demo.c:44),
 * while the debugger's locations for Wasm code are a function plus a Wasm code offset (the
 * translator makes each IR instruction's line the offset of the Wasm instruction it came
 * from). This map joins the two through the module's DWARF line table.
 *
 * Invariants:
 * 1. locations(file, line) gives one Location per place a statement of the line (or of the
 *    next line with code, LineTable's slide) begins, each in the function whose body holds
 *    it; an offset before a body's first instruction (DWARF's row at a function's locals) is
 *    that first instruction. The debugger then slides each to its first IR location with
 *    machine code, as it does for any Location.
 * 2. sourceOf(frame) is the line table's row for the frame's Wasm offset, when the frame is
 *    one of this module's functions and its row names a line (line 0, compiler-made code,
 *    is no source line): never a guess.
 * 3. A module without debug information gives an empty map: every lookup is empty, and
 *    asking for a C line is an IllegalArgumentException that says to build with -g.
 * 4. locals(stop, frame) shows each Wasm local of the frame's function as the IR value the
 *    translator says holds it just before the frame's instruction (WasmLocals), read from
 *    the stop's values: available only where the allocator's live ranges say so, else
 *    "optimized out"; a function with its locals in stack slots, or a map made from a
 *    WasmModule alone (no translation), shows every local as not available, saying why.
 */
package dev.patchbay.debug;

import dev.patchbay.GuestFrame;
import dev.patchbay.wasm.FunctionBody;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.dwarf.DwarfException;
import dev.patchbay.wasm.dwarf.LineAddresses;
import dev.patchbay.wasm.dwarf.LineRow;
import dev.patchbay.wasm.dwarf.LineTable;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.wasm.translate.TranslatedModule;
import dev.patchbay.wasm.translate.WasmLocals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A Wasm module's source lines (DWARF) as debugger locations, and back. */
public final class WasmSourceMap {
    private final WasmModule module;
    private final LineTable lines;
    private final Set<String> functionNames = new HashSet<>();
    /** By IR function name, which IR value holds each local where; empty without a translation. */
    private final java.util.Map<String, WasmLocals> locals;

    private WasmSourceMap(WasmModule module, LineTable lines, java.util.Map<String, WasmLocals> locals) {
        this.module = module;
        this.lines = lines;
        this.locals = locals;
        for (int i = 0; i < module.functions().size(); i++) {
            functionNames.add(TranslatedModule.functionName(module, module.importedFunctionCount() + i));
        }
    }

    /**
     * The map of a decoded module, from its {@code .debug_line} section.
     *
     * @param module the module, as {@link WasmModule#decode(byte[])} gives it
     * @return the map; empty if the module has no debug information
     * @throws DwarfException if the module's line table is malformed
     */
    public static WasmSourceMap of(WasmModule module) {
        if (module == null) throw new IllegalArgumentException("module is null");
        return new WasmSourceMap(module, LineTable.of(module), java.util.Map.of());
    }

    /**
     * The map of a module compiled from Wasm, which can also show Wasm locals at a stop.
     *
     * @param module a module made by {@link dev.patchbay.Module#fromWasm}
     * @return the map; empty if the module has no debug information
     * @throws IllegalArgumentException if the module was not compiled from Wasm
     * @throws DwarfException if the module's line table is malformed
     */
    public static WasmSourceMap of(dev.patchbay.Module module) {
        if (module == null) throw new IllegalArgumentException("module is null");
        TranslatedModule t = RuntimeInternals.wasm(module);
        if (t == null) throw new IllegalArgumentException("the module was not compiled from Wasm");
        return new WasmSourceMap(t.module(), LineTable.of(t.module()), t.locals());
    }

    /**
     * The Wasm locals of a stopped frame: parameters first, each named {@code $name} from the
     * name section's local names, else {@code local0}, {@code local1}, ...
     *
     * @param stop the stop, while its handler runs
     * @param frame the frame's index in {@link StopEvent#frames()}
     * @return one variable per local, its value read where the register allocator keeps it
     *     there, or not available with the reason
     * @throws IndexOutOfBoundsException if there is no such frame
     */
    public List<Variable> locals(StopEvent stop, int frame) {
        StackFrame f = stop.frames().get(frame);
        WasmLocals l = locals.get(f.function());
        if (l == null) return List.of();
        java.util.Map<Long, String> names = module.names().localNames().getOrDefault((long) functionIndex(f.function()), java.util.Map.of());
        List<Variable> out = new ArrayList<>();
        if (l.inSlots()) return out;
        Optional<int[]> ir = f.line() > 0 ? l.at(f.line()) : Optional.empty();
        java.util.Map<String, Variable> values = new java.util.HashMap<>();
        if (ir.isPresent()) for (Variable v : stop.variables(frame)) values.put(v.name(), v);
        for (int i = 0; i < l.types().size(); i++) {
            String n = names.get((long) i);
            String name = n != null && !n.isEmpty() ? "$" + n : "local" + i;
            int bits = switch (l.types().get(i)) {
                case I32, F32 -> 32;
                default -> 64;
            };
            Variable v = ir.isEmpty() ? null : values.get("v" + ir.get()[i]);
            if (v == null || !v.available()) {
                out.add(new Variable(name, bits, false, 0, ir.isEmpty() ? "no location here" : "optimized out"));
            } else {
                long value = bits == 32 ? (l.types().get(i) == dev.patchbay.wasm.ValType.I32 ? (int) v.value() : v.value() & 0xFFFFFFFFL) : v.value();
                out.add(new Variable(name, bits, true, value, v.where()));
            }
        }
        return out;
    }

    private int functionIndex(String irName) {
        for (int i = 0; i < module.functions().size(); i++) {
            int index = module.importedFunctionCount() + i;
            if (TranslatedModule.functionName(module, index).equals(irName)) return index;
        }
        return -1;
    }

    /** @return the line table it reads */
    public LineTable lineTable() { return lines; }

    /** @return whether the module has a line table (was built with {@code -g}) */
    public boolean hasDebugInfo() { return !lines.isEmpty(); }

    /**
     * The source line a user asks for, as the line that has code and its locations.
     *
     * @param line the line that has code (the one asked for, or the next one with code)
     * @param file the file's path in the line table
     * @param locations one location per place a statement of the line begins
     */
    public record SourceLine(String file, int line, List<Location> locations) {
        /**
         * Copies the list.
         *
         * @param file the file's path in the line table
         * @param line the line that has code
         * @param locations the locations
         */
        public SourceLine { locations = List.copyOf(locations); }
    }

    /**
     * Where to break for a source line.
     *
     * @param file the source file's name or path, matched by suffix ({@code demo.c})
     * @param line the line, from 1
     * @return the line with code and its locations
     * @throws IllegalArgumentException if the file is not in the line table (or there is
     *     none), is ambiguous, or has no code at or after the line
     */
    public SourceLine locations(String file, int line) {
        LineAddresses a = lines.lines(file, line);
        Set<Location> out = new java.util.LinkedHashSet<>();
        for (long off : a.moduleOffsets()) location(off).ifPresent(out::add);
        if (out.isEmpty()) throw new IllegalArgumentException(a.file() + ":" + a.line() + " has no code in any function");
        return new SourceLine(a.file(), a.line(), new ArrayList<>(out));
    }

    /**
     * The debugger location of a Wasm code offset: the function whose body holds it, at that
     * offset (at its first instruction if the offset is before it).
     *
     * @param moduleOffset a byte offset in the module binary
     * @return the location, if a function's body holds the offset
     */
    public Optional<Location> location(long moduleOffset) {
        List<FunctionBody> fs = module.functions();
        for (int i = 0; i < fs.size(); i++) {
            FunctionBody f = fs.get(i);
            if (moduleOffset < f.bodyOffset() || moduleOffset >= f.codeEnd()) continue;
            String name = TranslatedModule.functionName(module, module.importedFunctionCount() + i);
            return Optional.of(Location.line(name, (int) Math.max(moduleOffset, f.codeOffset())));
        }
        return Optional.empty();
    }

    /**
     * The source line of a Wasm code offset.
     *
     * @param moduleOffset a byte offset in the module binary
     * @return its row, if the line table gives it a line
     */
    public Optional<LineRow> sourceAt(long moduleOffset) {
        return lines.at(moduleOffset).filter(r -> r.line() > 0);
    }

    /**
     * The source line of a stopped frame (of the call, for outer frames).
     *
     * @param frame a frame of a stop in this module's code
     * @return its row, if the frame is one of this module's functions and has a line
     */
    public Optional<LineRow> sourceOf(StackFrame frame) {
        if (frame.line() <= 0 || !functionNames.contains(frame.function())) return Optional.empty();
        return sourceAt(frame.line());
    }

    /**
     * The source line of a trap's frame, from its {@code @0x...} Wasm offset.
     *
     * @param frame a frame of a trap's backtrace
     * @return its row, if the frame is one of this module's functions and has a line
     */
    public Optional<LineRow> sourceOf(GuestFrame frame) {
        String loc = frame.location();
        if (!loc.startsWith("@0x") || !functionNames.contains(frame.function())) return Optional.empty();
        try {
            return sourceAt(Long.parseLong(loc.substring(3), 16));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A stopped frame as text with its Wasm offset and source line:
     * {@code %f3_collatz_len+0x1c @0x4a3 demo.c:44}.
     *
     * @param frame a frame of a stop
     * @return the text
     */
    public String describe(StackFrame frame) {
        StringBuilder b = new StringBuilder("%").append(frame.function()).append("+0x").append(Integer.toHexString(frame.offset()));
        if (frame.line() > 0) b.append(" @0x").append(Integer.toHexString(frame.line()));
        sourceOf(frame).ifPresent(r -> b.append(' ').append(r.shortText()));
        return b.toString();
    }

    /**
     * A trap's frame as text: {@link GuestFrame#toString()} with the source line after it.
     *
     * @param frame a frame of a trap's backtrace
     * @return the text
     */
    public String describe(GuestFrame frame) {
        return frame + sourceOf(frame).map(r -> " " + r.shortText()).orElse("");
    }
}
