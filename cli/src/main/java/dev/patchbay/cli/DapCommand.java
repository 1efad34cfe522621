/*
 * `patchbay dap [--port N]`: a Debug Adapter Protocol server for one session (DapSession),
 * over stdin/stdout, or over one TCP connection on 127.0.0.1:N. In stdio mode standard
 * output is the protocol channel, so everything else the CLI prints goes to stderr or
 * into DAP output events.
 */
package dev.patchbay.cli;

import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

@Command(name = "dap", mixinStandardHelpOptions = true,
    description = "Speak the Debug Adapter Protocol (for VS Code and other DAP clients) over stdio, or on 127.0.0.1:PORT.")
final class DapCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "Listen on 127.0.0.1:PORT for one client instead of using stdio (0: any free port, printed on stderr).")
    Integer port;

    @Override public Integer call() throws Exception {
        if (port != null && (port < 0 || port > 65535)) {
            System.err.println("patchbay: --port must be 0 to 65535, not " + port);
            return Main.EXIT_BAD_INPUT;
        }
        if (port == null) {
            // The protocol owns the real stdout; a stray println elsewhere must not corrupt it.
            OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
            PrintStream original = System.out;
            System.setOut(System.err);
            try {
                return serve(new FileInputStream(FileDescriptor.in), protocolOut);
            } finally {
                System.setOut(original);
            }
        }
        try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            System.err.println("patchbay: dap listening on 127.0.0.1:" + server.getLocalPort());
            try (Socket s = server.accept()) {
                return serve(s.getInputStream(), s.getOutputStream());
            }
        }
    }

    private static int serve(InputStream in, OutputStream out) throws Exception {
        DapResponseOrder order = new DapResponseOrder();
        DapSession session = new DapSession(order);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        Launcher<IDebugProtocolClient> launcher = DSPLauncher.createServerLauncher(session, in, out, threads, order);
        session.connect(launcher.getRemoteProxy());
        Future<Void> listening = launcher.startListening();
        try {
            listening.get(); // until the client closes the stream
        } catch (java.util.concurrent.ExecutionException e) {
            // The stream ended abnormally: the session is over either way.
        } finally {
            session.shutdown();
            threads.shutdownNow();
        }
        return Main.EXIT_OK;
    }
}
