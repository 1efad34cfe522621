/*
 * `patchbay run X.wasm --break demo.c:44 --break @0x4a3`: breakpoints in a Wasm program by
 * C source line (through the module's DWARF line table: WasmSourceMap) or by Wasm code
 * offset (the @0x... of backtraces), each stop printed with its C file:line and the values
 * there before the guest goes on; and trap backtraces with the C line beside each frame.
 *
 * Invariants:
 * 1. A spec that is neither FILE:LINE nor @OFFSET is refused before anything is compiled;
 *    one that names no code (an unknown file, a line past the file's code, an offset in no
 *    function, a module without debug info) is refused before the guest starts. Both are
 *    bad usage (exit 2) with a message naming the spec.
 * 2. Debug info is read only when asked for (a C-line break, a stop, a trap); a module whose
 *    DWARF is malformed still runs, and its traps print without C lines.
 */
package dev.patchbay.cli;

import dev.patchbay.GuestFrame;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmInstance;
import dev.patchbay.debug.BreakpointEdit;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Location;
import dev.patchbay.debug.StackFrame;
import dev.patchbay.debug.StopEvent;
import dev.patchbay.debug.Variable;
import dev.patchbay.debug.WasmSourceMap;
import dev.patchbay.wasm.WasmException;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.dwarf.DwarfException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class WasmBreaks {
    /** A breakpoint request: a source file and line, or (file null) a Wasm code offset. */
    record Spec(String text, String file, int line, long offset) {}

    private static final Pattern SOURCE = Pattern.compile("(.*[^:\\s]):(\\d{1,10})");
    private static final Pattern OFFSET = Pattern.compile("@(?:0[xX]([0-9a-fA-F]{1,8})|(\\d{1,10}))");

    private WasmBreaks() {}

    /** Parses every spec, or throws IllegalArgumentException naming the first bad one. */
    static List<Spec> parse(List<String> specs) {
        List<Spec> out = new ArrayList<>();
        for (String s : specs) {
            Matcher o = OFFSET.matcher(s);
            if (o.matches()) {
                long off = o.group(1) != null ? Long.parseLong(o.group(1), 16) : Long.parseLong(o.group(2));
                if (off > 0xFFFFFFFFL) throw new IllegalArgumentException("--break " + s + ": the offset is beyond any Wasm module");
                out.add(new Spec(s, null, 0, off));
                continue;
            }
            Matcher m = SOURCE.matcher(s);
            if (!m.matches() || m.group(1).matches("%?[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("--break for a .wasm must be FILE:LINE (a source line, from the module's -g debug info) or @OFFSET (a Wasm code offset, as backtraces show it), got '" + s + "'");
            }
            int line;
            try {
                line = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--break " + s + ": the line is out of range");
            }
            if (line < 1) throw new IllegalArgumentException("--break " + s + ": lines start at 1");
            out.add(new Spec(s, m.group(1), line, 0));
        }
        return out;
    }

    /** The source map of a binary, for stops and traps; null (after a warning) if its DWARF is malformed. */
    static WasmSourceMap mapOrNull(byte[] binary, PrintStream err) {
        try {
            return WasmSourceMap.of(WasmModule.decode(binary));
        } catch (DwarfException e) {
            err.println("patchbay: warning: ignoring the module's debug info: " + e.getMessage());
            return null;
        } catch (WasmException e) {
            return null;
        }
    }

    /**
     * The module's source map with every --break spec installed and its stops printed to
     * stdout, or null when there are none (a run without --break never reads debug info).
     * The time a stop takes is not counted against --timeout.
     *
     * @throws OptionException if the debug info is malformed or a spec matches no code
     */
    static WasmSourceMap installAll(Store store, Module module, List<Spec> specs, EpochOptions.Running timeout) {
        if (specs.isEmpty()) return null;
        try {
            WasmSourceMap map = WasmSourceMap.of(module);
            install(store, map, specs, System.out, timeout);
            return map;
        } catch (DwarfException | IllegalArgumentException e) {
            throw new OptionException(e.getMessage());
        }
    }

    /** A guest's Trap on stderr: its message and code, then the backtrace, with C lines when the module has them. */
    static void printTrap(Trap t, WasmSourceMap map, byte[] binary) {
        System.err.println("trap: " + WasmInstance.trapMessage(t) + " (" + WasmInstance.trapCode(t).clifName() + ")");
        System.err.print(backtrace(t, map != null ? map : mapOrNull(binary, System.err)));
    }

    /**
     * Sets the breakpoints on a Store whose module is instantiated, and a stop handler that
     * prints each stop to out and continues; the time it takes is not counted against the
     * run's --timeout (null: none).
     *
     * @throws IllegalArgumentException naming the spec, if one resolves to no code
     */
    static void install(Store store, WasmSourceMap map, List<Spec> specs, PrintStream out, EpochOptions.Running timeout) {
        if (specs.isEmpty()) return;
        BreakpointEdit edit = store.debugger().edit();
        for (Spec s : specs) {
            try {
                if (s.file() == null) {
                    edit.add(map.location(s.offset()).orElseThrow(() -> new IllegalArgumentException(
                        "offset 0x" + Long.toHexString(s.offset()) + " is in no function's code")));
                } else {
                    for (Location l : map.locations(s.file(), s.line()).locations()) edit.add(l);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--break " + s.text() + ": " + e.getMessage(), e);
            }
        }
        try {
            edit.apply();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--break: " + e.getMessage(), e);
        }
        store.debugger().onStop(EpochOptions.pausing(timeout, e -> printStop(e, map, out)));
    }

    /** A stop: where (C line, function, Wasm offset), the backtrace, and the innermost frame's values. */
    static DebugAction printStop(StopEvent e, WasmSourceMap map, PrintStream out) {
        List<StackFrame> frames = e.frames();
        StackFrame top = frames.get(0);
        StringBuilder b = new StringBuilder("break ");
        map.sourceOf(top).ifPresent(r -> b.append(r.shortText()).append(" in "));
        b.append('%').append(top.function()).append(" @0x").append(Integer.toHexString(top.line()));
        if (e.breakpoint() != null) b.append(" (hit ").append(e.breakpoint().hits()).append(')');
        b.append('\n');
        for (int i = 0; i < frames.size(); i++) b.append("  #").append(i).append(' ').append(map.describe(frames.get(i))).append('\n');
        List<Variable> locals = map.locals(e, 0);
        if (!locals.isEmpty()) {
            b.append("  locals:");
            for (Variable v : locals) b.append(' ').append(v);
            b.append('\n');
        }
        int hidden = 0;
        for (Variable v : e.variables(0)) {
            if (v.available()) b.append("    ").append(v).append('\n'); else hidden++;
        }
        if (hidden > 0) b.append("    (").append(hidden).append(" more values optimized out here)\n");
        out.flush();
        out.print(b);
        out.flush();
        return DebugAction.CONTINUE;
    }

    /** A trap's backtrace as Trap.formatBacktrace prints it, with each frame's source line when known. */
    static String backtrace(Trap t, WasmSourceMap map) {
        if (map == null) return t.formatBacktrace();
        StringBuilder sb = new StringBuilder();
        List<GuestFrame> frames = t.backtrace();
        for (int i = 0; i < frames.size(); i++) sb.append("  #").append(i).append(' ').append(map.describe(frames.get(i))).append('\n');
        return sb.toString();
    }
}
