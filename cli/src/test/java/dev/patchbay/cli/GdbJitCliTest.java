package dev.patchbay.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real gdb on a running guest: a child JVM (GdbGuestChild) with gdb support on is inside
 * %runaway, called by %outer, when it prints its pid; `gdb -p PID -batch -ex 'thread
 * apply all bt'` must name, on the guest's thread, runaway, then outer, then the entry
 * trampoline, and unwind on into the host. The same child without gdb support must not
 * name them (the names come from the registration). Skips, printing why, without gdb or
 * where ptrace may not attach (Yama's ptrace_scope, a container without CAP_SYS_PTRACE).
 */
class GdbJitCliTest {
    record Child(Process process, long pid, long tid) {}

    static Child start(Path dir, boolean gdb) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child is killed with SIGKILL: its shared object's directory goes with the test's.
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add(GdbGuestChild.class.getName());
        if (!gdb) cmd.add("--no-gdb");
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("child-err-" + gdb + ".txt").toFile()).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("READY ")) {
            p.destroyForcibly();
            fail("the child did not reach the guest: " + line + "\n" + Files.readString(dir.resolve("child-err-" + gdb + ".txt")));
        }
        String[] f = line.split(" ");
        assertEquals(p.pid(), Long.parseLong(f[1]));
        return new Child(p, p.pid(), Long.parseLong(f[2]));
    }

    static Path gdb() {
        Path g = PerfJitdumpCliTest.onPath("gdb", "gdb");
        Path scope = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        try {
            if (Files.exists(scope) && Files.readString(scope).strip().equals("3")) skip("ptrace is disabled (" + scope + " is 3)");
        } catch (java.io.IOException e) {
            // Unreadable: attaching will tell.
        }
        return g;
    }

    static void skip(String why) {
        PerfJitdumpCliTest.skip(why);
    }

    /** gdb's backtrace of one thread, or a skip when gdb may not attach. */
    static String backtrace(Path dir, Path gdb, Child c) throws Exception {
        Path log = dir.resolve("gdb-" + c.pid() + ".txt");
        // Give the guest a moment past the hostcall's return: it runs in %runaway from then on.
        Thread.sleep(200);
        Process p = new ProcessBuilder(gdb.toString(), "-nx", "-batch", "-p", String.valueOf(c.pid()),
            "-ex", "set pagination off", "-ex", "thread apply all bt 16")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("gdb -p " + c.pid() + " did not finish in 180 s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (out.contains("ptrace: Operation not permitted") || out.contains("Could not attach to process")) {
            skip("gdb may not attach here (ptrace): " + out.lines().filter(l -> l.contains("ptrace") || l.contains("attach")).findFirst().orElse(""));
        }
        // Threads are listed as "Thread N (Thread 0x... (LWP tid) ...):" followed by their frames.
        Matcher m = Pattern.compile("(?m)^Thread \\d+ \\(.*\\(LWP " + c.tid() + "\\).*$").matcher(out);
        assertTrue(m.find(), "gdb lists the guest's thread " + c.tid() + ":\n" + out);
        int start = m.end();
        int end = out.indexOf("\nThread ", start);
        return out.substring(start, end < 0 ? out.length() : end);
    }

    /** The frame numbers of the lines that name {@code fn}. */
    static int frame(String bt, String fn) {
        Matcher m = Pattern.compile("(?m)^#(\\d+)\\s+0x[0-9a-f]+ in " + Pattern.quote(fn) + " \\(\\)").matcher(bt);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    @Test
    void gdbBacktraceNamesTheGuestFramesInnermostFirst(@TempDir Path dir) throws Exception {
        Path gdb = gdb();
        Child c = start(dir, true);
        try {
            String bt = backtrace(dir, gdb, c);
            assertEquals(0, frame(bt, "runaway"), "the innermost frame is the running guest function:\n" + bt);
            assertEquals(1, frame(bt, "outer"), "its caller next:\n" + bt);
            assertEquals(2, frame(bt, "patchbay:entry_trampoline"), "then the entry trampoline:\n" + bt);
            // And gdb unwinds on past the trampoline into the host (libffi, jffi, the JVM).
            Matcher more = Pattern.compile("(?m)^#3\\s").matcher(bt);
            assertTrue(more.find(), "frames beyond the entry trampoline:\n" + bt);
            assertTrue(c.process().isAlive(), "gdb detached and the guest still runs");
        } finally {
            c.process().destroyForcibly();
            c.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * gdb attached before any code exists, left running: the child then creates its Engine
     * and registers its code, which gdb reads at its breakpoint on
     * __jit_debug_register_code; stopped by SIGTERM in %runaway, bt names the frames.
     */
    @Test
    void gdbAttachedBeforeTheCodeExistsLearnsItAtRegistration(@TempDir Path dir) throws Exception {
        Path gdb = gdb();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(GdbGuestChild.class.getName(), "--wait"));
        Process child = new ProcessBuilder(cmd).redirectError(dir.resolve("child-err.txt").toFile()).start();
        Process g = null;
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("WAITING " + child.pid(), r.readLine());
            Path log = dir.resolve("gdb-live.txt");
            // HotSpot takes SIGSEGVs all the time (implicit null checks, polls): pass them on silently.
            g = new ProcessBuilder(gdb.toString(), "-nx", "-batch", "-p", String.valueOf(child.pid()),
                "-ex", "set pagination off", "-ex", "handle SIGSEGV nostop noprint pass",
                "-ex", "continue", "-ex", "thread apply all bt 16")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // Attached (a tracer) and let go again (the main thread no longer in tracing stop):
            // gdb's batch mode prints nothing when it continues.
            while (!tracedAndRunning(child.pid())) {
                String out = Files.readString(log);
                if (out.contains("ptrace: Operation not permitted") || out.contains("Could not attach to process")) {
                    skip("gdb may not attach here (ptrace)");
                }
                assertTrue(g.isAlive() && System.nanoTime() < deadline, "gdb attaches and continues:\n" + out);
                Thread.sleep(50);
            }
            child.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            child.getOutputStream().flush();
            String ready = r.readLine();
            assertTrue(ready != null && ready.startsWith("READY "), "the child reached the guest: " + ready);
            long tid = Long.parseLong(ready.split(" ")[2]);
            Thread.sleep(200);
            child.destroy(); // SIGTERM: gdb stops the process and runs the backtrace
            assertTrue(g.waitFor(180, TimeUnit.SECONDS), "gdb finished");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^Thread \\d+ \\(.*\\(LWP " + tid + "\\).*$").matcher(out);
            assertTrue(m.find(), "gdb lists the guest's thread " + tid + ":\n" + out);
            int end = out.indexOf("\nThread ", m.end());
            String bt = out.substring(m.end(), end < 0 ? out.length() : end);
            assertEquals(0, frame(bt, "runaway"), bt);
            assertEquals(1, frame(bt, "outer"), bt);
            assertEquals(2, frame(bt, "patchbay:entry_trampoline"), bt);
        } finally {
            if (g != null) g.destroyForcibly();
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static boolean tracedAndRunning(long pid) throws java.io.IOException {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        Matcher tracer = Pattern.compile("(?m)^TracerPid:\\s+(\\d+)").matcher(status);
        Matcher state = Pattern.compile("(?m)^State:\\s+(\\S)").matcher(status);
        return tracer.find() && !tracer.group(1).equals("0") && state.find() && !state.group(1).equals("t");
    }

    @Test
    void withoutGdbSupportTheSameFramesAreNameless(@TempDir Path dir) throws Exception {
        Path gdb = gdb();
        Child c = start(dir, false);
        try {
            String bt = backtrace(dir, gdb, c);
            assertEquals(-1, frame(bt, "runaway"), bt);
            assertEquals(-1, frame(bt, "outer"), bt);
            assertTrue(bt.contains("#0  0x"), "gdb did walk the thread:\n" + bt);
        } finally {
            c.process().destroyForcibly();
            c.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void runWithGdbStillPrintsTheResult() throws Exception {
        String[] r = CliBadInputTest.run("run", "--gdb", PerfJitdumpCliTest.EXAMPLE.toAbsolutePath().toString(), "--invoke",
            PerfJitdumpCliTest.GUEST + "(10)");
        assertEquals("0", r[0], r[2]);
        assertEquals("45", r[1].strip());
    }
}
