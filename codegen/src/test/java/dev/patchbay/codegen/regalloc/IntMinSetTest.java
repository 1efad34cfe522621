package dev.patchbay.codegen.regalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** IntMinSet against a TreeSet: adds (repeated ones too), membership and smallest-first removal. */
class IntMinSetTest {
    @Test
    void itAgreesWithASortedSetOnRandomOperations() {
        // Sizes that end inside a word, on a word, and past one and two level-2 words.
        for (int n : new int[] {1, 63, 64, 4097, 262_144, 600_000}) {
            SplittableRandom rnd = new SplittableRandom(n);
            IntMinSet set = new IntMinSet(n);
            TreeSet<Integer> ref = new TreeSet<>();
            for (int op = 0; op < 200_000; op++) {
                if (rnd.nextInt(3) > 0 || ref.isEmpty()) {
                    // Clustered values, as a worklist of neighbouring blocks is, and now and then anywhere.
                    int x = rnd.nextInt(8) == 0 ? rnd.nextInt(n) : Math.floorMod((ref.isEmpty() ? 0 : ref.first()) + rnd.nextInt(-100, 100), n);
                    set.add(x);
                    ref.add(x);
                } else {
                    assertEquals(ref.pollFirst(), set.pollFirst(), "n=" + n + " op " + op);
                }
                int probe = rnd.nextInt(n);
                assertEquals(ref.contains(probe), set.contains(probe), "contains(" + probe + ") n=" + n);
                assertEquals(ref.isEmpty(), set.isEmpty());
            }
            while (!ref.isEmpty()) assertEquals(ref.pollFirst(), set.pollFirst());
            assertTrue(set.isEmpty());
        }
    }
}
