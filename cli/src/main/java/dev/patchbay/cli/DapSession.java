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
 * Invariant: the Store is used by the guest thread only while the call runs, and closed
 * only after that thread has ended (disconnect joins it), so a client that disconnects
 * mid-call never closes a Store under running guest code.
 *
 * Breakpoints, stepping, stack frames and variables need the per-Store debugger (issue
 * 18); until it exists, setBreakpoints answers each breakpoint unverified, with that
 * reason, instead of pretending it will stop.
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
import org.eclipse.lsp4j.debug.Breakpoint;
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

    void connect(IDebugProtocolClient client) { this.client = client; }

    @Override public CompletableFuture<Capabilities> initialize(InitializeRequestArguments args) {
        Capabilities c = new Capabilities();
        c.setSupportsConfigurationDoneRequest(true);
        c.setSupportsTerminateRequest(true);
        // Sent once the response is on its way: the client then sends its breakpoints.
        CompletableFuture<Capabilities> f = CompletableFuture.completedFuture(c);
        f.thenRunAsync(() -> client.initialized());
        return f;
    }

    @Override public CompletableFuture<Void> launch(Map<String, Object> a) {
        Object program = a.get("program"), invoke = a.get("invoke");
        if (!(program instanceof String) || ((String) program).isBlank()) return fail("launch needs \"program\": the path of a .clif file");
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
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override public CompletableFuture<SetBreakpointsResponse> setBreakpoints(SetBreakpointsArguments a) {
        SetBreakpointsResponse r = new SetBreakpointsResponse();
        SourceBreakpoint[] asked = a.getBreakpoints() == null ? new SourceBreakpoint[0] : a.getBreakpoints();
        Breakpoint[] out = new Breakpoint[asked.length];
        for (int i = 0; i < asked.length; i++) {
            Breakpoint b = new Breakpoint();
            b.setVerified(false);
            b.setLine(asked[i].getLine());
            b.setMessage("this build of Patchbay has no debugger yet (issue 18): the program runs without stopping");
            out[i] = b;
        }
        r.setBreakpoints(out);
        return CompletableFuture.completedFuture(r);
    }

    @Override public CompletableFuture<Void> configurationDone(ConfigurationDoneArguments a) {
        synchronized (lock) {
            if (func == null) return fail("configurationDone before a successful launch");
            if (guest != null) return CompletableFuture.completedFuture(null);
            guest = new java.lang.Thread(null, this::runGuest, "patchbay-dap-guest", Main.MAIN_STACK_BYTES);
            guest.start();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The guest thread: the call, then its outcome as events. */
    private void runGuest() {
        int exit;
        try {
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
        synchronized (lock) {
            ended = true;
        }
        ExitedEventArguments x = new ExitedEventArguments();
        x.setExitCode(exit);
        client.exited(x);
        client.terminated(new TerminatedEventArguments());
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
            if (engine != null) engine.close();
            store = null;
            engine = null;
        }
    }

    private void interruptGuest() {
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
