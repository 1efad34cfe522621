/*
 * What a DAP session does differently when its program is a .wasm: the launch (a WASI
 * command's _start with "args", or an export with "invoke"), breakpoints by C source file
 * and line (through the module's DWARF line table, WasmSourceMap), stack frames that carry
 * the C file and line, and steps by C line. DapSession calls in here at those few points
 * and keeps everything else (the stop handshake, scopes, variables, pause, terminate).
 *
 * Invariants:
 * 1. Breakpoints are kept per source file: setBreakpoints for one file replaces that file's
 *    and leaves the others set (a C program has many files; DAP sends one at a time).
 * 2. A step by C line is a sequence of the debugger's steps by Wasm location, none of them
 *    reported, until the innermost frame is at another C line than where the step began,
 *    or in another frame: next ends in the same or an outer frame, stepIn also in an inner
 *    one that has a source line (an inner frame without one, libc built without -g, is
 *    stepped out of), stepOut in an outer frame. A breakpoint reached meanwhile ends it.
 * 3. The guest's stdout and stderr (WASI fd 1 and 2) are output events as they are written.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinker;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Debugger;
import dev.patchbay.debug.Location;
import dev.patchbay.debug.StackFrame;
import dev.patchbay.debug.StopEvent;
import dev.patchbay.debug.WasmSourceMap;
import dev.patchbay.wasi.WasiCommand;
import dev.patchbay.wasi.WasiConfig;
import dev.patchbay.wasm.ValType;
import dev.patchbay.wasm.WasmException;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.dwarf.DwarfException;
import dev.patchbay.wasm.dwarf.LineRow;
import org.eclipse.lsp4j.debug.Breakpoint;
import org.eclipse.lsp4j.debug.OutputEventArgumentsCategory;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class DapWasmProgram {
    private static final Pattern INVOKE = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*\\((.*)\\)\\s*");
    private static final Pattern IR_NAME = Pattern.compile("f\\d+_(.+)");

    final Engine engine;
    final Store store;
    /** The module's code, for instruction references, instruction breakpoints and disassemble. */
    final dev.patchbay.codegen.machinst.CompiledModule compiled;
    /** C lines and Wasm locals of the compiled module (no lines and no locals if its DWARF is malformed). */
    private final WasmSourceMap map;
    private final BiConsumer<String, String> output;
    private final WasiCommand command;
    private final WasmFunction export;
    private final long[] args;
    private final String exportName;
    /** Source path (as the client sent it) to the breakpoints set for it. Guarded by this. */
    private final Map<String, List<dev.patchbay.debug.Breakpoint>> byFile = new HashMap<>();
    /** A line table file to the path the client named it by, so frames show the client's own path. Guarded by this. */
    private final Map<String, String> clientPaths = new HashMap<>();
    private final Path programDir;
    /** The C-line step under way, or null. Guarded by this. */
    private Step step;

    private record Step(DebugAction kind, String file, int line, int depth) {}

    private DapWasmProgram(Path file, Engine engine, Store store, Module module, WasmSourceMap map, BiConsumer<String, String> output,
                           WasiCommand command, WasmFunction export, String exportName, long[] args) {
        this.engine = engine;
        this.store = store;
        this.compiled = module.compiled();
        this.map = map;
        this.output = output;
        this.command = command;
        this.export = export;
        this.exportName = exportName;
        this.args = args;
        this.programDir = file.toAbsolutePath().getParent();
    }

    /**
     * Compiles and instantiates the program of a launch request: {@code program} a .wasm,
     * with {@code invoke} (an export and its arguments) or without ({@code _start}, with
     * {@code args} as argv[1..]).
     *
     * @param output where guest output goes: (category, text)
     * @throws IllegalArgumentException with the message the launch fails with
     */
    static DapWasmProgram launch(Map<String, Object> a, Path file, BiConsumer<String, String> output) {
        Object invoke = a.get("invoke"), argList = a.get("args");
        List<String> argv = new ArrayList<>();
        argv.add(file.getFileName().toString());
        if (argList != null) {
            if (!(argList instanceof List<?> l)) throw new IllegalArgumentException("\"args\" must be a list of strings");
            for (Object o : l) {
                if (!(o instanceof String s)) throw new IllegalArgumentException("\"args\" must be a list of strings, got " + o);
                argv.add(s);
            }
        }
        if (invoke != null && !(invoke instanceof String)) throw new IllegalArgumentException("\"invoke\" must be a string like \"run(10)\"");
        byte[] binary = WasmRun.read(file);
        if (binary == null) throw new IllegalArgumentException("cannot read " + file);
        Engine engine = new Engine(new EngineConfig().epochInterruption(true));
        Store store = null;
        try {
            store = new Store(engine);
            Module module = Module.fromWasm(engine, binary);
            WasmSourceMap map;
            try {
                map = WasmSourceMap.of(module);
            } catch (DwarfException e) {
                output.accept(OutputEventArgumentsCategory.CONSOLE, "patchbay: ignoring " + file + "'s debug info: " + e.getMessage() + "\n");
                map = WasmSourceMap.of(WasmModule.decode(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}));
            }
            OutputStream out = stream(output, OutputEventArgumentsCategory.STDOUT), err = stream(output, OutputEventArgumentsCategory.STDERR);
            if (invoke == null) {
                store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
                WasiCommand c = WasiCommand.instantiate(store, module, WasiConfig.builder().args(argv).stdout(out).stderr(err).build());
                return new DapWasmProgram(file, engine, store, module, map, output, c, null, null, null);
            }
            Matcher m = INVOKE.matcher((String) invoke);
            if (!m.matches()) throw new IllegalArgumentException("\"invoke\" must look like 'name(1, 2)', got '" + invoke + "'");
            WasmInstance inst;
            if (WasmModule.decode(binary).imports().isEmpty()) {
                inst = WasmInstance.instantiate(store, module, new WasmLinker());
            } else {
                store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
                inst = WasiCommand.instantiate(store, module, WasiConfig.builder().args(argv).stdout(out).stderr(err).build()).instance();
            }
            WasmFunction f = inst.function(m.group(1));
            List<ValType> params = f.type().params();
            String[] parts = m.group(2).isBlank() ? new String[0] : m.group(2).split(",", -1);
            if (parts.length != params.size()) throw new IllegalArgumentException(m.group(1) + " takes " + params.size() + " arguments, got " + parts.length);
            long[] values = new long[parts.length];
            for (int i = 0; i < values.length; i++) values[i] = WasmRun.parse(params.get(i), parts[i].trim(), i + 1, m.group(1));
            return new DapWasmProgram(file, engine, store, module, map, output, null, f, m.group(1), values);
        } catch (WasmException e) {
            closeQuietly(store, engine);
            throw new IllegalArgumentException(file + ": error: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(store, engine);
            throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException(file + ": error: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Store store, Engine engine) {
        if (store != null) store.close();
        engine.close();
    }

    /** An OutputStream whose every write is one output event. */
    private static OutputStream stream(BiConsumer<String, String> output, String category) {
        return new OutputStream() {
            @Override public void write(int b) { output.accept(category, String.valueOf((char) b)); }

            @Override public void write(byte[] b, int off, int len) {
                if (len > 0) output.accept(category, new String(b, off, len, StandardCharsets.UTF_8));
            }
        };
    }

    /** The guest thread: runs the program and reports its result; returns the exit code. */
    int run() {
        try {
            if (command != null) return command.start();
            long[] r = export.call(args);
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < r.length; i++) shown.add(WasmRun.format(export.type().results().get(i), r[i]));
            if (!shown.isEmpty()) output.accept(OutputEventArgumentsCategory.STDOUT, (shown.size() == 1 ? shown.get(0) : "[" + String.join(", ", shown) + "]") + "\n");
            return Main.EXIT_OK;
        } catch (Trap t) {
            output.accept(OutputEventArgumentsCategory.STDERR, "trap: " + WasmInstance.trapMessage(t) + " (" + WasmInstance.trapCode(t).clifName() + ")\n"
                + WasmBreaks.backtrace(t, map));
            return Main.EXIT_TRAP;
        }
    }

    /** setBreakpoints for one source file: replaces that file's breakpoints (invariant 1). */
    SetBreakpointsResponse setBreakpoints(SetBreakpointsArguments a, Debugger dbg) {
        SourceBreakpoint[] asked = a.getBreakpoints() == null ? new SourceBreakpoint[0] : a.getBreakpoints();
        String path = a.getSource() == null ? null : a.getSource().getPath();
        Breakpoint[] out = new Breakpoint[asked.length];
        synchronized (this) {
            if (dbg != null && path != null) {
                List<dev.patchbay.debug.Breakpoint> old = byFile.remove(path);
                if (old != null && !old.isEmpty()) {
                    var edit = dbg.edit();
                    for (dev.patchbay.debug.Breakpoint b : old) edit.remove(b);
                    edit.apply();
                }
            }
            List<dev.patchbay.debug.Breakpoint> now = new ArrayList<>();
            for (int i = 0; i < asked.length; i++) {
                Breakpoint b = new Breakpoint();
                b.setLine(asked[i].getLine());
                b.setVerified(false);
                out[i] = b;
                if (dbg == null) {
                    b.setMessage("the session has ended");
                    continue;
                }
                if (path == null) {
                    b.setMessage("no source path");
                    continue;
                }
                if (asked[i].getCondition() != null || asked[i].getHitCondition() != null) {
                    b.setMessage("conditions and hit counts are not supported yet");
                    continue;
                }
                try {
                    WasmSourceMap.SourceLine line = map.locations(path, asked[i].getLine());
                    var edit = dbg.edit();
                    for (Location l : line.locations()) {
                        if (asked[i].getLogMessage() != null) edit.addLogpoint(l); else edit.add(l);
                    }
                    now.addAll(edit.apply());
                    clientPaths.put(line.file(), path);
                    b.setId(now.size());
                    b.setVerified(true);
                    b.setLine(line.line());
                } catch (IllegalArgumentException | IllegalStateException e) {
                    b.setMessage(e.getMessage());
                }
            }
            if (path != null) byFile.put(path, now);
        }
        SetBreakpointsResponse r = new SetBreakpointsResponse();
        r.setBreakpoints(out);
        return r;
    }

    /**
     * A stopped frame's Wasm locals, named from the name section (else local0, ...), each
     * with its value where the allocator keeps it there. On the guest thread, in the stop.
     */
    List<dev.patchbay.debug.Variable> locals(StopEvent e, int frame) {
        return map.locals(e, frame);
    }

    /** A frame as the client sees it: the C function's name, file and line when the line table knows them. */
    void describe(org.eclipse.lsp4j.debug.StackFrame d, StackFrame f) {
        Matcher m = IR_NAME.matcher(f.function());
        d.setName(m.matches() ? m.group(1) : f.function());
        Optional<LineRow> row = map.sourceOf(f);
        if (row.isPresent()) {
            Source src = new Source();
            src.setPath(clientPath(row.get().file()));
            src.setName(row.get().fileName());
            d.setSource(src);
            d.setLine(row.get().line());
            d.setColumn(Math.max(row.get().column(), 1));
        } else {
            // No C line here (libc without -g, compiler-made code): the Wasm offset, no source.
            d.setSource(null);
            d.setLine(0);
            d.setColumn(0);
            d.setPresentationHint(org.eclipse.lsp4j.debug.StackFramePresentationHint.SUBTLE);
        }
        d.setInstructionPointerReference("@0x" + Integer.toHexString(f.line()));
    }

    /**
     * The path a client knows a line table file by: the one it set breakpoints with, else the
     * file beside the .wasm when there is one (DWARF 4 names files relative to a compilation
     * directory only .debug_info holds), else the table's own.
     */
    private synchronized String clientPath(String file) {
        String p = clientPaths.get(file);
        if (p != null) return p;
        if (programDir != null && !file.startsWith("/")) {
            Path beside = programDir.resolve(file).normalize();
            if (java.nio.file.Files.isRegularFile(beside)) return beside.toString();
        }
        return file;
    }

    /** The client resumed a stop with this action: a step begins at that stop's C line. */
    synchronized void resumed(DebugAction a, List<StackFrame> frames) {
        if (a == DebugAction.STEP_OVER || a == DebugAction.STEP_INTO || a == DebugAction.STEP_OUT) {
            Optional<LineRow> row = frames.isEmpty() ? Optional.empty() : map.sourceOf(frames.get(0));
            step = new Step(a, row.map(LineRow::file).orElse(null), row.map(LineRow::line).orElse(0), frames.size());
        } else {
            step = null;
        }
    }

    /**
     * At a stop: the action that carries a C-line step on without reporting this stop, or
     * null to report it (invariant 2).
     */
    synchronized DebugAction keepStepping(StopEvent e) {
        Step s = step;
        if (s == null) return null;
        if (e.reason() != StopEvent.Reason.STEP) {
            step = null;
            return null;
        }
        List<StackFrame> frames = e.frames();
        Optional<LineRow> row = frames.isEmpty() ? Optional.empty() : map.sourceOf(frames.get(0));
        int depth = frames.size();
        DebugAction next = null;
        if (s.kind() == DebugAction.STEP_OUT) {
            if (row.isEmpty()) next = DebugAction.STEP_OUT;
        } else if (depth > s.depth()) {
            // Only stepIn gets here (next and stepOut never stop deeper): a callee without lines is stepped out of.
            if (row.isEmpty()) next = DebugAction.STEP_OUT;
        } else if (depth == s.depth() && (row.isEmpty() || (row.get().line() == s.line() && row.get().file().equals(s.file())))) {
            next = s.kind();
        } else if (depth < s.depth() && row.isEmpty()) {
            next = s.kind() == DebugAction.STEP_INTO ? DebugAction.STEP_INTO : DebugAction.STEP_OVER;
        }
        if (next == null) step = null;
        return next;
    }

    void close() {
        if (!store.isClosed()) store.close();
        engine.close();
    }
}
