/*
 * One Debug Adapter Protocol session (`patchbay dap`): a DAP client (VS Code, or the
 * @vscode/debugadapter-testsupport client in the tests) launches a CLIF program, and this
 * runs it in a Store on a guest thread of its own and reports what happens as DAP events.
 * The protocol itself (Content-Length framing, JSON, request/response matching) is
 * Eclipse LSP4J's DAP implementation; this class is only what Patchbay does for each
 * request.
 *
 * Lifecycle, as the protocol orders it:
 *   initialize  -> capabilities; then the `initialized` event
 *   launch      -> {program: FILE.clif, invoke: "name(1, 2)"}: parsed and compiled now, so
 *                  a bad program fails the launch request with the compiler's
 *                  file:line:col message
 *   configurationDone -> the guest thread starts the call
 *   the call ends -> `output` (the result on stdout, or the trap and its guest backtrace
 *                  on stderr), `exited` (0, or 3 for a trap, as `patchbay run`), `terminated`
 *   terminate / disconnect -> a running guest is interrupted (Store.interrupt), then the
 *                  Store and Engine close
 *
 * Debugging goes through the Store's debugger (dev.patchbay.debug):
 *   setBreakpoints -> waits for the launch (a client may send it first), then replaces the
 *                  file's breakpoints: each line resolved against the location table
 *                  (verified, at the line it slid to) or unverified with the reason;
 *                  a logMessage makes a logpoint (counts, never stops)
 *   a stop         -> the guest thread, in the debugger's stop handler, takes a snapshot of
 *                  the frames and their values, sends `stopped` and waits for
 *                  continue / next / stepIn / stepOut (or a terminate)
 *   stackTrace, scopes, variables -> answered from that snapshot (one scope per frame, its
 *                  IR values; a Wasm frame has its Wasm locals as a first scope)
 *   pause          -> Debugger.pause(): the guest stops at its next site
 *   conditions     -> setBreakpoints' condition, hitCondition and logMessage become
 *                  BreakpointOptions; a logpoint's messages are `output` events (console);
 *                  a condition that cannot be evaluated stops, with the reason as the
 *                  `stopped` event's text and an output line
 *   instructions   -> setInstructionBreakpoints (references are "0x" + the module offset,
 *                  as stackTrace's instructionPointerReference and disassemble's
 *                  addresses; "%fn+0xOFF" is accepted too), disassemble (from the
 *                  instruction table, objdump's text when it is on the PATH, each with its
 *                  function as symbol and its CLIF line), and next/stepIn with granularity
 *                  "instruction" (STEP_INSTRUCTION)
 *   launch timeout -> "timeout" (ms): an epoch deadline from the call's start, which a stop
 *                  does not spend (the debugger's default); a guest past it traps
 *
 * A .wasm program (DapWasmProgram) launches a WASI command or an export, takes
 * breakpoints by C source file and line, shows C files and lines in stack traces and steps
 * by C line; the rest is the same.
 *
 * Invariants: a stopped or exited event goes out only after the response of the request
 * that resumed the guest (DapResponseOrder). The Store is used by the guest thread only while the call runs, and closed
 * only after that thread has ended (disconnect joins it), so a client that disconnects
 * mid-call never closes a Store under running guest code. A stopped guest waits only on
 * `stopLock`, and terminate/disconnect always release it (with INTERRUPT), so a client
 * that leaves mid-stop never leaves the guest thread parked.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Debugger;
import dev.patchbay.debug.Location;
import dev.patchbay.debug.BreakpointOptions;
import dev.patchbay.debug.InstructionLocation;
import dev.patchbay.debug.StopEvent;
import org.eclipse.lsp4j.debug.Breakpoint;
import org.eclipse.lsp4j.debug.DisassembleArguments;
import org.eclipse.lsp4j.debug.DisassembleResponse;
import org.eclipse.lsp4j.debug.InstructionBreakpoint;
import org.eclipse.lsp4j.debug.SetInstructionBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetInstructionBreakpointsResponse;
import org.eclipse.lsp4j.debug.SteppingGranularity;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.ContinueResponse;
import org.eclipse.lsp4j.debug.NextArguments;
import org.eclipse.lsp4j.debug.PauseArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.ScopesResponse;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StackTraceResponse;
import org.eclipse.lsp4j.debug.StepInArguments;
import org.eclipse.lsp4j.debug.StepOutArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.VariablesResponse;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.OutputEventArgumentsCategory;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsResponse;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.TerminateArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.eclipse.lsp4j.debug.Thread;
import org.eclipse.lsp4j.debug.ThreadsResponse;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What `patchbay dap` does for each DAP request of one session. */
final class DapSession implements IDebugProtocolServer {
    private static final Pattern INVOKE = Pattern.compile("\\s*%?([A-Za-z_][A-Za-z0-9_.]*)\\s*\\((.*)\\)\\s*");
    /** DAP's thread id of the guest thread (one Store, one owner). */
    static final int GUEST_THREAD = 1;

    private volatile IDebugProtocolClient client;
    private final Object lock = new Object();
    /** Set by launch; guarded by lock. */
    private Engine engine;
    private Store store;
    private Func func;
    private Function signature;
    private long[] args;
    private java.lang.Thread guest;
    private boolean ended;
    private Path programPath;
    /** The launched program's code, for instruction references and disassemble. */
    private dev.patchbay.codegen.machinst.CompiledModule compiled;
    /** The launch's "timeout" in epoch ticks of 1 ms (0: none), and the ticker that counts them. */
    private long timeoutTicks;
    private dev.patchbay.EpochTicker ticker;
    /** The breakpoints each request type set, so that one request replaces only its own. */
    private final List<dev.patchbay.debug.Breakpoint> sourceBreakpoints = new ArrayList<>(), instructionBreakpoints = new ArrayList<>();
    /** The launched .wasm program, or null for CLIF. Guarded by lock. */
    private DapWasmProgram wasm;
    /** Completed by a successful launch (exceptionally by a failed one): setBreakpoints waits for it. */
    private final CompletableFuture<Void> launched = new CompletableFuture<>();

    /** A stop as the client sees it: taken on the guest thread while the handler runs. */
    /** A stop's snapshot: frames, each frame's IR values and (for Wasm) its Wasm locals, empty lists for CLIF. */
    private record Stop(List<dev.patchbay.debug.StackFrame> frames, List<List<dev.patchbay.debug.Variable>> values,
                        List<List<dev.patchbay.debug.Variable>> locals) {}

    /** Variables references: frame id for a frame's IR values, LOCALS_REF + frame id for its Wasm locals. */
    private static final int LOCALS_REF = 1_000_000;

    /** Guards `stopped` and `command`; the stopped guest waits on it. */
    private final Object stopLock = new Object();
    private Stop stopped;
    private DebugAction command;
    private boolean leaving;

    /** Holds each stopped and exited event until the resume request before it has its response out. */
    private final DapResponseOrder order;

    DapSession(DapResponseOrder order) { this.order = order; }

    void connect(IDebugProtocolClient client) { this.client = client; }

    @Override public CompletableFuture<Capabilities> initialize(InitializeRequestArguments args) {
        Capabilities c = new Capabilities();
        c.setSupportsConfigurationDoneRequest(true);
        c.setSupportsTerminateRequest(true);
        c.setSupportsLogPoints(true);
        c.setSupportsConditionalBreakpoints(true);
        c.setSupportsHitConditionalBreakpoints(true);
        c.setSupportsInstructionBreakpoints(true);
        c.setSupportsDisassembleRequest(true);
        c.setSupportsSteppingGranularity(true);
        // Sent once the response is on its way: the client then sends its breakpoints.
        CompletableFuture<Capabilities> f = CompletableFuture.completedFuture(c);
        f.thenRunAsync(() -> client.initialized());
        return f;
    }

    @Override public CompletableFuture<Void> launch(Map<String, Object> a) {
        CompletableFuture<Void> r = launchNow(a);
        r.whenComplete((v, t) -> {
            if (t != null) launched.completeExceptionally(t);
            else launched.complete(null);
        });
        return r;
    }

    private CompletableFuture<Void> launchNow(Map<String, Object> a) {
        Object program = a.get("program"), invoke = a.get("invoke");
        if (!(program instanceof String) || ((String) program).isBlank()) return fail("launch needs \"program\": the path of a .clif or .wasm file");
        if (((String) program).endsWith(".wasm")) return launchWasm(a, Path.of((String) program));
        if (!(invoke instanceof String)) return fail("launch needs \"invoke\": the call to make, like \"main(1, 2)\"");
        Matcher m = INVOKE.matcher((String) invoke);
        if (!m.matches()) return fail("\"invoke\" must look like 'name(1, 2)', got '" + invoke + "'");
        List<BigInteger> values;
        try {
            values = RunCommand.parseArgs(m.group(2));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        Path file = Path.of((String) program);
        ByteArrayOutputStream diagBytes = new ByteArrayOutputStream();
        CompileCommand.Compiled c;
        try (PrintStream diag = new PrintStream(diagBytes, true, StandardCharsets.UTF_8)) {
            c = CompileCommand.compile(file, InstrumentationPlan.all(), 0, diag);
        }
        String diagnostics = diagBytes.toString(StandardCharsets.UTF_8).strip();
        if (c == null) return fail(diagnostics);
        if (!diagnostics.isEmpty()) output(OutputEventArgumentsCategory.CONSOLE, diagnostics + "\n");
        Function fn = c.clif.function(m.group(1));
        if (fn == null) return fail(file + ": error: no function %" + m.group(1));
        if (fn.signature.params.size() != values.size()) {
            return fail("%" + fn.name + " takes " + fn.signature.params.size() + " arguments, got " + values.size());
        }
        long timeout = 0;
        Object limit = a.get("timeout");
        if (limit != null) {
            double ms = limit instanceof Number ? ((Number) limit).doubleValue() : Double.NaN;
            if (!(ms >= 1 && ms <= 365.0 * 24 * 3600 * 1000 && ms == Math.floor(ms))) {
                return fail("\"timeout\" must be a whole number of milliseconds from 1 to 365 days, got " + limit);
            }
            timeout = (long) ms;
        }
        long[] argv = new long[values.size()];
        for (int i = 0; i < argv.length; i++) {
            Type t = fn.signature.params.get(i).type;
            if (!t.isInt() || !Values.fits(values.get(i), t.bits())) {
                return fail("argument " + (i + 1) + " of %" + fn.name + ", " + values.get(i) + ", does not fit in " + t);
            }
            argv[i] = values.get(i).longValue();
        }
        synchronized (lock) {
            if (engine != null) return fail("this session has launched already");
            engine = new Engine(new EngineConfig().epochInterruption(true));
            store = new Store(engine);
            Instance inst = store.instantiate(engine.load(c.module));
            func = inst.func(fn.name);
            signature = fn;
            args = argv;
            programPath = file;
            compiled = c.module;
            timeoutTicks = timeout;
            if (timeout > 0) ticker = dev.patchbay.EpochTicker.start(engine, java.time.Duration.ofMillis(1));
            store.debugger().onStop(this::onStop);
            store.debugger().onLogpoint(lp -> output(OutputEventArgumentsCategory.CONSOLE, lp.text() + "\n"));
        }
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<Void> launchWasm(Map<String, Object> a, Path file) {
        synchronized (lock) {
            if (engine != null) return fail("this session has launched already");
            try {
                wasm = DapWasmProgram.launch(a, file, this::output);
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            }
            engine = wasm.engine;
            store = wasm.store;
            compiled = wasm.compiled;
            programPath = file;
            store.debugger().onStop(this::onStop);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The guest thread, stopped: publish the stop, then wait for the client's command. */
    private DebugAction onStop(StopEvent e) {
        DapWasmProgram w = wasmProgram();
        if (w != null) {
            DebugAction go = w.keepStepping(e);
            if (go != null) return go;
        }
        List<dev.patchbay.debug.StackFrame> frames = e.frames();
        List<List<dev.patchbay.debug.Variable>> values = new ArrayList<>();
        List<List<dev.patchbay.debug.Variable>> locals = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            values.add(e.variables(i));
            locals.add(w != null ? w.locals(e, i) : List.of());
        }
        synchronized (stopLock) {
            if (leaving) return DebugAction.INTERRUPT;
            stopped = new Stop(frames, values, locals);
            command = null;
        }
        StoppedEventArguments ev = new StoppedEventArguments();
        ev.setReason(e.reason() == StopEvent.Reason.BREAKPOINT ? "breakpoint" : e.reason() == StopEvent.Reason.STEP ? "step" : "pause");
        ev.setThreadId(GUEST_THREAD);
        ev.setAllThreadsStopped(true);
        if (e.conditionProblem() != null) {
            ev.setText(e.conditionProblem());
            output(OutputEventArgumentsCategory.CONSOLE, e.conditionProblem() + "\n");
        } else if (e.breakpoint() != null && e.breakpoint().requestedInstruction() != null) {
            ev.setReason("instruction breakpoint");
        }
        order.awaitResponses(5_000);
        client.stopped(ev);
        synchronized (stopLock) {
            try {
                while (command == null && !leaving) stopLock.wait();
            } catch (InterruptedException x) {
                java.lang.Thread.currentThread().interrupt();
                command = DebugAction.INTERRUPT;
            }
            DebugAction a = leaving ? DebugAction.INTERRUPT : command;
            stopped = null;
            command = null;
            return a;
        }
    }

    /** Resumes a stopped guest; fails if it is not stopped. */
    private CompletableFuture<Void> resume(DebugAction a) {
        synchronized (stopLock) {
            if (stopped == null) return fail("the guest is not stopped");
            DapWasmProgram w = wasmProgram();
            if (w != null) w.resumed(a, stopped.frames());
            command = a;
            stopLock.notifyAll();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override public CompletableFuture<ContinueResponse> continue_(ContinueArguments a) {
        return resume(DebugAction.CONTINUE).thenApply(v -> {
            ContinueResponse r = new ContinueResponse();
            r.setAllThreadsContinued(true);
            return r;
        });
    }

    @Override public CompletableFuture<Void> next(NextArguments a) {
        return resume(a.getGranularity() == SteppingGranularity.INSTRUCTION ? DebugAction.STEP_INSTRUCTION : DebugAction.STEP_OVER);
    }

    @Override public CompletableFuture<Void> stepIn(StepInArguments a) {
        return resume(a.getGranularity() == SteppingGranularity.INSTRUCTION ? DebugAction.STEP_INSTRUCTION : DebugAction.STEP_INTO);
    }

    @Override public CompletableFuture<Void> stepOut(StepOutArguments a) { return resume(DebugAction.STEP_OUT); }

    @Override public CompletableFuture<Void> pause(PauseArguments a) {
        synchronized (lock) {
            if (store == null || ended) return fail("nothing is running to pause");
            store.debugger().pause();
        }
        return CompletableFuture.completedFuture(null);
    }

    private Stop currentStop() {
        synchronized (stopLock) {
            return stopped;
        }
    }

    @Override public CompletableFuture<StackTraceResponse> stackTrace(StackTraceArguments a) {
        Stop s = currentStop();
        if (s == null) return fail("the guest is not stopped");
        DapWasmProgram w = wasmProgram();
        org.eclipse.lsp4j.debug.StackFrame[] out = new org.eclipse.lsp4j.debug.StackFrame[s.frames().size()];
        for (int i = 0; i < out.length; i++) {
            dev.patchbay.debug.StackFrame f = s.frames().get(i);
            org.eclipse.lsp4j.debug.StackFrame d = new org.eclipse.lsp4j.debug.StackFrame();
            d.setId(i + 1);
            d.setName(f.function());
            d.setLine(f.line());
            d.setColumn(Math.max(f.column(), 1));
            Source src = new Source();
            src.setPath(programPath.toString());
            src.setName(programPath.getFileName().toString());
            d.setSource(src);
            d.setInstructionPointerReference(DapInstructions.reference(compiled, f.function(), f.offset()));
            if (w != null) w.describe(d, f);
            out[i] = d;
        }
        StackTraceResponse r = new StackTraceResponse();
        r.setStackFrames(out);
        r.setTotalFrames(out.length);
        return CompletableFuture.completedFuture(r);
    }

    @Override public CompletableFuture<ScopesResponse> scopes(ScopesArguments a) {
        Stop s = currentStop();
        if (s == null) return fail("the guest is not stopped");
        int frame = a.getFrameId() - 1;
        if (frame < 0 || frame >= s.frames().size()) return fail("no frame " + a.getFrameId());
        Scope sc = new Scope();
        sc.setName("Values");
        sc.setVariablesReference(a.getFrameId());
        sc.setNamedVariables(s.values().get(frame).size());
        sc.setExpensive(false);
        ScopesResponse r = new ScopesResponse();
        if (s.locals().get(frame).isEmpty()) {
            sc.setPresentationHint("locals");
            r.setScopes(new Scope[] {sc});
        } else {
            // A Wasm frame: its locals first (what the C programmer recognises), then the IR values.
            Scope locals = new Scope();
            locals.setName("Wasm locals");
            locals.setPresentationHint("locals");
            locals.setVariablesReference(LOCALS_REF + a.getFrameId());
            locals.setNamedVariables(s.locals().get(frame).size());
            locals.setExpensive(false);
            sc.setName("IR values");
            sc.setPresentationHint("registers");
            r.setScopes(new Scope[] {locals, sc});
        }
        return CompletableFuture.completedFuture(r);
    }

    @Override public CompletableFuture<VariablesResponse> variables(VariablesArguments a) {
        Stop s = currentStop();
        if (s == null) return fail("the guest is not stopped");
        int ref = a.getVariablesReference();
        boolean wasmLocals = ref > LOCALS_REF;
        int frame = (wasmLocals ? ref - LOCALS_REF : ref) - 1;
        if (frame < 0 || frame >= s.values().size()) return fail("no variables " + a.getVariablesReference());
        List<dev.patchbay.debug.Variable> vs = wasmLocals ? s.locals().get(frame) : s.values().get(frame);
        org.eclipse.lsp4j.debug.Variable[] out = new org.eclipse.lsp4j.debug.Variable[vs.size()];
        for (int i = 0; i < out.length; i++) {
            dev.patchbay.debug.Variable v = vs.get(i);
            org.eclipse.lsp4j.debug.Variable d = new org.eclipse.lsp4j.debug.Variable();
            d.setName(v.name());
            d.setValue(v.available() ? Long.toString(v.value()) : "<" + v.where() + ">");
            d.setType("i" + v.bits());
            d.setVariablesReference(0);
            out[i] = d;
        }
        VariablesResponse r = new VariablesResponse();
        r.setVariables(out);
        return CompletableFuture.completedFuture(r);
    }

    @Override public CompletableFuture<SetBreakpointsResponse> setBreakpoints(SetBreakpointsArguments a) {
        // A client may send this before its launch has been handled: answer once it has.
        return launched.thenApply(v -> setBreakpointsNow(a));
    }

    private DapWasmProgram wasmProgram() {
        synchronized (lock) {
            return wasm;
        }
    }

    private SetBreakpointsResponse setBreakpointsNow(SetBreakpointsArguments a) {
        DapWasmProgram w;
        Debugger wdbg;
        synchronized (lock) {
            w = wasm;
            wdbg = store == null || store.isClosed() ? null : store.debugger();
        }
        if (w != null) return w.setBreakpoints(a, wdbg);
        SetBreakpointsResponse r = new SetBreakpointsResponse();
        SourceBreakpoint[] asked = a.getBreakpoints() == null ? new SourceBreakpoint[0] : a.getBreakpoints();
        Breakpoint[] out = new Breakpoint[asked.length];
        Debugger dbg;
        boolean ours;
        synchronized (lock) {
            dbg = store == null || store.isClosed() ? null : store.debugger();
            String path = a.getSource() == null ? null : a.getSource().getPath();
            ours = path != null && programPath != null && Path.of(path).toAbsolutePath().normalize().equals(programPath.toAbsolutePath().normalize());
        }
        // One program per session: its file's breakpoints are all of them.
        if (dbg != null && ours) replace(dbg, sourceBreakpoints);
        for (int i = 0; i < asked.length; i++) {
            Breakpoint b = new Breakpoint();
            b.setLine(asked[i].getLine());
            b.setVerified(false);
            out[i] = b;
            if (dbg == null) {
                b.setMessage("the session has ended");
                continue;
            }
            if (!ours) {
                b.setMessage("not the launched program (" + programPath + ")");
                continue;
            }
            try {
                Location at = Location.line(asked[i].getLine());
                BreakpointOptions o = new BreakpointOptions(asked[i].getCondition(), asked[i].getHitCondition(), asked[i].getLogMessage());
                dev.patchbay.debug.Breakpoint set = dbg.edit().add(at, o).apply().get(0);
                synchronized (sourceBreakpoints) {
                    sourceBreakpoints.add(set);
                }
                b.setId(i + 1);
                b.setVerified(true);
                b.setLine(set.line());
                b.setColumn(set.column());
            } catch (IllegalArgumentException | IllegalStateException e) {
                b.setMessage(e.getMessage());
            }
        }
        r.setBreakpoints(out);
        return r;
    }

    /** Removes the breakpoints one kind of request set before. */
    private static void replace(Debugger dbg, List<dev.patchbay.debug.Breakpoint> those) {
        synchronized (those) {
            dev.patchbay.debug.BreakpointEdit e = dbg.edit();
            for (dev.patchbay.debug.Breakpoint b : those) e.remove(b);
            e.apply();
            those.clear();
        }
    }

    @Override public CompletableFuture<SetInstructionBreakpointsResponse> setInstructionBreakpoints(SetInstructionBreakpointsArguments a) {
        return launched.thenApply(v -> {
            InstructionBreakpoint[] asked = a.getBreakpoints() == null ? new InstructionBreakpoint[0] : a.getBreakpoints();
            Breakpoint[] out = new Breakpoint[asked.length];
            Debugger dbg;
            synchronized (lock) {
                dbg = store == null || store.isClosed() ? null : store.debugger();
            }
            if (dbg != null) replace(dbg, instructionBreakpoints);
            for (int i = 0; i < asked.length; i++) {
                Breakpoint b = new Breakpoint();
                b.setVerified(false);
                out[i] = b;
                if (dbg == null) {
                    b.setMessage("the session has ended");
                    continue;
                }
                try {
                    InstructionLocation at = DapInstructions.parse(compiled, asked[i].getInstructionReference(), asked[i].getOffset() == null ? 0 : asked[i].getOffset());
                    dev.patchbay.debug.Breakpoint set = dbg.edit().add(at, new BreakpointOptions(asked[i].getCondition(), asked[i].getHitCondition(), null)).apply().get(0);
                    synchronized (instructionBreakpoints) {
                        instructionBreakpoints.add(set);
                    }
                    b.setId(1000 + i);
                    b.setVerified(true);
                    b.setInstructionReference(DapInstructions.reference(compiled, set.function(), set.machineOffset()));
                    if (set.line() > 0) b.setLine(set.line());
                } catch (IllegalArgumentException | IllegalStateException e) {
                    b.setMessage(e.getMessage());
                }
            }
            SetInstructionBreakpointsResponse r = new SetInstructionBreakpointsResponse();
            r.setBreakpoints(out);
            return r;
        });
    }

    @Override public CompletableFuture<DisassembleResponse> disassemble(DisassembleArguments a) {
        dev.patchbay.codegen.machinst.CompiledModule cm;
        Path path;
        synchronized (lock) {
            cm = compiled;
            path = programPath;
        }
        if (cm == null) return fail("disassemble before a successful launch");
        try {
            DisassembleResponse r = new DisassembleResponse();
            r.setInstructions(DapInstructions.disassemble(cm, path, a.getMemoryReference(), a.getOffset() == null ? 0 : a.getOffset(),
                a.getInstructionOffset() == null ? 0 : a.getInstructionOffset(), a.getInstructionCount()));
            return CompletableFuture.completedFuture(r);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    @Override public CompletableFuture<Void> configurationDone(ConfigurationDoneArguments a) {
        synchronized (lock) {
            if (func == null && wasm == null) return fail("configurationDone before a successful launch");
            if (guest != null) return CompletableFuture.completedFuture(null);
            guest = new java.lang.Thread(null, this::runGuest, "patchbay-dap-guest", Main.MAIN_STACK_BYTES);
            guest.start();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The guest thread: the call, then its outcome as events. */
    private void runGuest() {
        DapWasmProgram w = wasmProgram();
        int exit = w != null ? w.run() : runClif();
        synchronized (lock) {
            ended = true;
        }
        ExitedEventArguments x = new ExitedEventArguments();
        x.setExitCode(exit);
        order.awaitResponses(5_000);
        client.exited(x);
        client.terminated(new TerminatedEventArguments());
    }

    /** The CLIF call and its result or trap as output; returns the exit code. */
    private int runClif() {
        int exit;
        try {
            // From the call's start: the launch and the breakpoints before it are not the guest's time.
            if (timeoutTicks > 0) store.setEpochDeadline(timeoutTicks);
            long[] r = func.call(args);
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < r.length; i++) shown.add(Long.toString(signature.signature.returns.get(i).type.signExtend(r[i])));
            if (!shown.isEmpty()) output(OutputEventArgumentsCategory.STDOUT, (shown.size() == 1 ? shown.get(0) : "[" + String.join(", ", shown) + "]") + "\n");
            exit = Main.EXIT_OK;
        } catch (Trap t) {
            output(OutputEventArgumentsCategory.STDERR, "trap: " + t.code().clifName() + "\n" + t.formatBacktrace());
            exit = Main.EXIT_TRAP;
        } catch (RuntimeException e) {
            output(OutputEventArgumentsCategory.STDERR, "patchbay: " + e.getMessage() + "\n");
            exit = Main.EXIT_FAILED;
        }
        return exit;
    }

    @Override public CompletableFuture<ThreadsResponse> threads() {
        Thread t = new Thread();
        t.setId(GUEST_THREAD);
        t.setName("guest");
        ThreadsResponse r = new ThreadsResponse();
        r.setThreads(new Thread[] {t});
        return CompletableFuture.completedFuture(r);
    }

    @Override public CompletableFuture<Void> terminate(TerminateArguments a) {
        interruptGuest();
        return CompletableFuture.completedFuture(null);
    }

    @Override public CompletableFuture<Void> disconnect(DisconnectArguments a) {
        shutdown();
        return CompletableFuture.completedFuture(null);
    }

    /** Interrupts a running guest, waits for its thread, and closes the Store and Engine. */
    void shutdown() {
        interruptGuest();
        java.lang.Thread g;
        synchronized (lock) {
            g = guest;
        }
        if (g != null) {
            try {
                g.join(10_000);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            if (g != null && g.isAlive()) return; // never close a Store under running guest code
            if (store != null && !store.isClosed()) store.close();
            if (ticker != null) ticker.close();
            if (engine != null) engine.close();
            store = null;
            engine = null;
        }
    }

    private void interruptGuest() {
        synchronized (stopLock) {
            leaving = true;
            stopLock.notifyAll();
        }
        synchronized (lock) {
            if (store != null && guest != null && !ended) store.interrupt();
        }
    }

    private void output(String category, String text) {
        OutputEventArguments o = new OutputEventArguments();
        o.setCategory(category);
        o.setOutput(text);
        client.output(o);
    }

    private static <T> CompletableFuture<T> fail(String message) {
        CompletableFuture<T> f = new CompletableFuture<>();
        f.completeExceptionally(new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, message, null)));
        return f;
    }
}
