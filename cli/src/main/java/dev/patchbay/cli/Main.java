/*
 * The `patchbay` command line. Subcommands are picocli classes; this class wires them up,
 * runs them on a thread with a large stack (guest code runs on the calling thread, and the
 * run tests include a 1 MiB stack frame), and maps outcomes to exit codes:
 *   0 success, 1 test failures, 2 bad input or usage (including an output file or
 *   standard output that cannot be written, and no command at all), 3 guest trap.
 * Usage errors are picocli's: its message, then its "Did you mean" suggestions for a
 * mistyped command or option when it has some, else the command's usage, on stderr.
 */
package dev.patchbay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "patchbay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Compile CLIF to x86-64 with zero-cost patch sites, run it, and test it.",
    subcommands = {CompileCommand.class, TestCommand.class, RunCommand.class, WastCommand.class, BenchCommand.class, DemoCommand.class, DapCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0, EXIT_FAILED = 1, EXIT_BAD_INPUT = 2, EXIT_TRAP = 3;
    /** Stack for the thread that runs commands (and therefore guest code). */
    static final long MAIN_STACK_BYTES = 512L << 20;

    @Spec
    CommandSpec spec;

    /** `patchbay` alone is a usage error: it says so and prints the usage (exit 2). */
    @Override public void run() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("patchbay: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return EXIT_FAILED;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("patchbay: " + ex.getMessage());
            // picocli's suggestions ("Did you mean: run?", "Possible solutions: --profile")
            // say more than the whole usage; without any, the usage it is.
            if (!UnmatchedArgumentException.printSuggestions(ex, cmd.getErr())) cmd.usage(cmd.getErr());
            return EXIT_BAD_INPUT;
        });
        int code = cl.execute(args);
        // System.out never throws: a result that could not be written (a full disk, a
        // closed pipe) must not pass for success.
        if (System.out.checkError()) {
            System.err.println("patchbay: cannot write standard output");
            return Math.max(code, EXIT_BAD_INPUT);
        }
        return code;
    }

    public static void main(String[] args) throws InterruptedException {
        AtomicInteger code = new AtomicInteger(EXIT_FAILED);
        Thread t = new Thread(null, () -> code.set(execute(args)), "patchbay-main", MAIN_STACK_BYTES);
        t.start();
        t.join();
        System.out.flush();
        System.exit(code.get());
    }
}
