/*
 * What /proc/self and the runtime say about the resources Patchbay uses: the bytes mapped
 * from Patchbay's memfds and in all, the open descriptors (memfds above all), the
 * process's threads, its resident set, and the runtime's own counts of live code memory.
 * ResourceTest compares levels before and after; the run's summary prints the levels at
 * the start and at the end of the test plan (SummaryListener).
 */
package dev.patchbay.stress;

import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.ProcSelf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

final class Resources {
    private Resources() {}

    static final class Level {
        final long patchbayMapped, totalMapped, codeMemoryBytes, rssBytes;
        final int fds, memfds, threads, codeMemoryLive;
        final List<String> javaThreads;

        Level() {
            patchbayMapped = ProcSelf.mappedBytesMatching(m -> m.path().contains("memfd:" + CodeMemory.NAME_PREFIX));
            totalMapped = ProcSelf.mappedBytesMatching(m -> true);
            fds = ProcSelf.openFdCount();
            memfds = ProcSelf.openFdsMatching("memfd:");
            threads = taskCount();
            codeMemoryLive = CodeMemory.liveCount();
            codeMemoryBytes = CodeMemory.mappedBytes();
            rssBytes = rss();
            javaThreads = javaThreadNames();
        }

        @Override public String toString() {
            return String.format("patchbay-mapped=%,d B, all-mapped=%,d B, fds=%d, memfds=%d, threads=%d, CodeMemory live=%d (%,d B)",
                patchbayMapped, totalMapped, fds, memfds, threads, codeMemoryLive, codeMemoryBytes);
        }

        /** toString() with the resident set, which is not compared (the heap grows and shrinks as it likes). */
        String withRss() { return toString() + String.format(", RSS=%,d KiB", rssBytes / 1024); }
    }

    /**
     * The process's threads, from /proc/self/task, except those the JDK starts and retires
     * by itself as demand changes: HotSpot's JIT compiler threads, the GC's worker threads
     * (G1 starts more as the heap and the load grow), the virtual-thread unblocker that
     * JDK 24+ starts the first time a virtual thread blocks on a monitor (a 10-minute soak
     * on Temurin 25 saw 24 threads become 25 that way), the virtual-thread scheduler's
     * delay thread (JDK 25), and the carrier threads of the virtual-thread scheduler (JDK 21+; their names, cut to the kernel's 15-byte comm, are
     * those of the live CarrierThreads). Patchbay's own threads are counted, and are also
     * checked by name (patchbayThreads).
     */
    /** Kernel names (comm, at most 15 bytes) of the threads the JDK starts on demand. */
    private static final String[] JDK_ON_DEMAND = {
        "C1 CompilerThre", "C2 CompilerThre", "GC Thread#", "G1 Conc#", "G1 Refine#", "VirtualThread-u",
        // The virtual-thread scheduler's pool: carriers, and JDK 25's "ForkJoinPool-1-delayScheduler",
        // which outlives the carriers (a second soak on Temurin 25 saw 19 threads become 20).
        // Patchbay starts no ForkJoinPool of its own.
        "ForkJoinPool-",
    };

    static int taskCount() {
        List<String> carriers = carrierNames();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.filter(t -> {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    for (String jdk : JDK_ON_DEMAND) if (comm.startsWith(jdk)) return false;
                    for (String c : carriers) if (!comm.isEmpty() && c.startsWith(comm)) return false;
                    return true;
                } catch (IOException gone) {
                    return false; // the thread ended while we looked
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isCarrier(Thread t) { return t.getClass().getName().equals("jdk.internal.misc.CarrierThread"); }

    static List<String> carrierNames() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (isCarrier(t)) names.add(t.getName());
        return names;
    }

    /** The names of the platform threads, carriers of virtual threads left out (see taskCount). */
    static List<String> javaThreadNames() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (!isCarrier(t)) names.add(t.getName());
        Collections.sort(names);
        return names;
    }

    static List<String> patchbayThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().startsWith("patchbay-")) names.add(t.getName());
        return names;
    }

    /** VmRSS from /proc/self/status, in bytes; -1 if it cannot be read. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
