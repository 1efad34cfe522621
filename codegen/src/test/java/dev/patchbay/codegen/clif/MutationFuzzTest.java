/*
 * Bad input must never escape as anything but a ClifParseException (or, once parsed, a
 * list of verifier errors): no NullPointerException, no IndexOutOfBounds, no hang. This
 * test mutates the corpus deterministically (deleting, duplicating and swapping
 * characters, truncating, splicing in tokens) and feeds the results to the parser and
 * the verifier.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class MutationFuzzTest {
    private static final String[] SPLICES = {
        ",", "(", ")", "[", "]", "{", "}", ":", "=", "-", "+", ".", "->", " v999", " block99", " i128", " f32",
        " iconst.i8 300", " ss7", " fn9", " sig9", "\n", " ;", " %", " 0x", " _", "\nfunction %g() {\n", " cold",
        " patchable", " u0:", " -0x8000000000000000", " 99999999999999999999", " return", " jump block0",
    };

    @Test
    void mutatedCorpusFailsCleanly() {
        Random rnd = new Random(Long.getLong("fuzz.seed", 0x9a7c4b));
        int parsed = 0, rejected = 0;
        for (Path p : CorpusLocator.clifFiles()) {
            String text = CorpusLocator.read(p);
            for (int i = 0; i < Integer.getInteger("fuzz.iters", 60); i++) {
                String m = mutate(text, rnd);
                try {
                    ClifFile f = ClifParser.parse("m.clif", m);
                    for (Function fn : f.functions()) {
                        Verifier.verify(fn);
                        FunctionPrinter.print(fn);
                    }
                    parsed++;
                } catch (ClifParseException e) {
                    assertTrue(e.line() >= 1 && e.col() >= 1, e.getMessage());
                    rejected++;
                } catch (RuntimeException e) {
                    throw new AssertionError("mutation of " + p.getFileName() + " crashed:\n" + m, e);
                }
            }
        }
        if (parsed == 0 || rejected == 0) fail("mutations were not varied: " + parsed + " parsed, " + rejected + " rejected");
    }

    private static String mutate(String s, Random rnd) {
        StringBuilder sb = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(3);
        for (int k = 0; k < edits && sb.length() > 0; k++) {
            int at = rnd.nextInt(sb.length());
            switch (rnd.nextInt(5)) {
                case 0:
                    sb.delete(at, Math.min(sb.length(), at + 1 + rnd.nextInt(6)));
                    break;
                case 1:
                    sb.insert(at, SPLICES[rnd.nextInt(SPLICES.length)]);
                    break;
                case 2: {
                    int len = Math.min(sb.length() - at, 1 + rnd.nextInt(20));
                    sb.insert(rnd.nextInt(sb.length()), sb.substring(at, at + len));
                    break;
                }
                case 3:
                    sb.setLength(at);
                    break;
                default: {
                    int other = rnd.nextInt(sb.length());
                    char c = sb.charAt(at);
                    sb.setCharAt(at, sb.charAt(other));
                    sb.setCharAt(other, c);
                }
            }
        }
        return sb.toString();
    }
}
