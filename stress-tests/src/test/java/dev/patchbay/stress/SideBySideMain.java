/*
 * The child JVM of suite 3 (JvmSideBySideTest). A deterministic Java workload that
 * leans on HotSpot's own signal handling: implicit null checks (SIGSEGV), integer
 * division by zero (SIGFPE), stack overflow on the guard pages, allocation and
 * System.gc(). Prints one "RESULT <phase>=<checksums>" line per run of it.
 *   plain     the workload only; no Patchbay class is ever loaded
 *   patchbay  the workload once before Patchbay, then again and again while our SIGTRAP
 *             handler is installed and arming runs at full tilt (guests on two threads,
 *             a controller, interrupts, a 1 ms epoch ticker with deadline callbacks)
 * Arguments: mode, milliseconds of load (patchbay mode), workload rounds.
 */
package dev.patchbay.stress;

import java.util.ArrayList;
import java.util.List;

public final class SideBySideMain {
    static final class Box {
        final long v;

        Box(long v) { this.v = v; }
    }

    static int depth;

    static void recurse() {
        depth++;
        recurse();
    }

    /** Checksums of one workload run; equal runs give equal strings. */
    static String workload(int rounds) {
        long npes = 0, sum = 0, divz = 0, soes = 0, gcs = 0, allocated = 0;
        List<Object> keep = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 20_000; i++) {
                Box b = (i % 7 == 0) ? null : new Box(i);
                try {
                    sum += b.v; // implicit null check: HotSpot's SIGSEGV handler makes it an NPE
                } catch (NullPointerException e) {
                    npes++;
                }
                int d = i % 11;
                try {
                    sum += 1_000_000 / d; // x86 idiv by zero: SIGFPE, turned into ArithmeticException
                } catch (ArithmeticException e) {
                    divz++;
                }
                if (i % 500 == 0) {
                    keep.add(new long[64 + i % 100]);
                    allocated++;
                }
            }
            if (r % 5 == 0) {
                try {
                    depth = 0;
                    recurse(); // the guard pages: SIGSEGV, yellow zone, StackOverflowError
                } catch (StackOverflowError e) {
                    soes++;
                }
            }
            if (r % 10 == 9) {
                keep.clear();
                System.gc();
                gcs++;
            }
        }
        return "npe:" + npes + ",sum:" + sum + ",divz:" + divz + ",soe:" + soes + ",gc:" + gcs + ",alloc:" + allocated;
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long millis = Long.parseLong(args[1]);
        int rounds = Integer.parseInt(args[2]);
        System.out.println("RESULT java=" + Runtime.version().feature());
        System.out.println("RESULT before=" + workload(rounds));
        if (mode.equals("patchbay")) PatchbayLoad.run(millis, rounds);
        System.out.println("RESULT done=1");
        System.out.flush();
    }
}
