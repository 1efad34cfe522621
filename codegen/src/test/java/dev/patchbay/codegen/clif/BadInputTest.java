/*
 * Malformed CLIF must fail with `file:line:col: error: message` pointing at the offending
 * token, never with an unrelated exception (DESIGN.md invariant 8). Each case pins the
 * whole message, line and column, so a regression in error quality is visible.
 */
package dev.patchbay.codegen.clif;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BadInputTest {
    static void assertParseError(String text, int line, int col, String message) {
        ClifParseException e = assertThrows(ClifParseException.class, () -> ClifParser.parse("bad.clif", text));
        assertEquals("bad.clif:" + line + ":" + col + ": error: " + message, e.getMessage());
        assertEquals(line, e.line());
        assertEquals(col, e.col());
        assertEquals("bad.clif", e.fileName());
        assertEquals(message, e.reason());
    }

    @Test
    void missingComma() {
        assertParseError("""
            function %f(i32, i32) -> i32 {
            block0(v1: i32, v2: i32):
                v3 = iadd v1 v2
                return v3
            }
            """, 3, 18, "expected ',' after operand, found 'v2'");
    }

    @Test
    void missingCommaInReturn() {
        assertParseError("""
            function %f(i32, i32) -> i32, i32 {
            block0(v1: i32, v2: i32):
                return v1 v2
            }
            """, 3, 15, "expected ',' after operand, found 'v2'");
    }

    @Test
    void undefinedValue() {
        assertParseError("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                return v9
            }
            """, 3, 12, "undefined value v9");
    }

    @Test
    void typeOfForwardReferenceMustBeWritten() {
        assertParseError("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iadd v5, v0
                v5 = iconst.i32 1
                return v1
            }
            """, 3, 15, "type of v5 must be known here: add a type suffix");
    }

    @Test
    void duplicateBlock() {
        assertParseError("""
            function %f() {
            block0:
                jump block2
            block2:
                return
            block2:
                return
            }
            """, 6, 1, "duplicate block block2");
    }

    @Test
    void duplicateValue() {
        assertParseError("""
            function %f() -> i32 {
            block0:
                v3 = iconst.i32 1
                v3 = iconst.i32 2
                return v3
            }
            """, 4, 5, "duplicate value v3");
    }

    @Test
    void unknownOpcode() {
        assertParseError("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iaddd v0, v0
                return v1
            }
            """, 3, 10, "unknown opcode 'iaddd'");
    }

    @Test
    void unknownType() {
        assertParseError("""
            function %f(i7) {
            block0(v0: i7):
                return
            }
            """, 1, 13, "unknown type 'i7'");
    }

    @Test
    void integerOutOfRange() {
        assertParseError("""
            function %f() -> i8 {
            block0:
                v0 = iconst.i8 300
                return v0
            }
            """, 3, 20, "integer 300 does not fit in i8");
        assertParseError("""
            function %f() -> i16 {
            block0:
                v0 = iconst.i16 -0x8001
                return v0
            }
            """, 3, 21, "integer -0x8001 does not fit in i16");
        assertParseError("""
            function %f(i64) -> i64 {
            block0(v0: i64):
                v1 = iadd_imm v0, 0x1_0000_0000_0000_0000
                return v1
            }
            """, 3, 23, "integer 0x1_0000_0000_0000_0000 does not fit in 64 bits");
    }

    @Test
    void unterminatedFunction() {
        assertParseError("""
            test run

            function %f() {
            block0:
                return
            """, 3, 1, "unterminated function %f: no closing '}' before end of file");
        assertParseError("""
            function %f() {
            block0:
                return
            function %g() {
            block0:
                return
            }
            """, 1, 1, "unterminated function %f: no closing '}' before the next 'function'");
    }

    @Test
    void unterminatedSkippedFunction() {
        assertParseError("""
            function %f(f64) {
            block0(v0: f64):
                return
            """, 1, 1, "unterminated function %f: no closing '}' before end of file");
    }

    @Test
    void missingTypeSuffix() {
        assertParseError("""
            function %f() -> i32 {
            block0:
                v0 = iconst 1
                return v0
            }
            """, 3, 10, "iconst needs a type suffix, e.g. iconst.i64");
    }

    @Test
    void wrongResultCount() {
        assertParseError("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1, v2 = iadd v0, v0
                return v1
            }
            """, 3, 5, "iadd produces 1 result, but 2 are named");
    }

    @Test
    void undefinedBlock() {
        assertParseError("""
            function %f() {
            block0:
                jump block7
            }
            """, 3, 10, "undefined block block7");
    }

    @Test
    void undefinedEntities() {
        assertParseError("""
            function %f() {
            block0:
                call fn3()
                return
            }
            """, 3, 10, "undefined function reference fn3");
        assertParseError("""
            function %f() -> i64 {
            block0:
                v0 = stack_load.i64 ss1
                return v0
            }
            """, 3, 25, "undefined stack slot ss1");
        assertParseError("""
            function %f(i64) {
            block0(v0: i64):
                call_indirect sig2, v0()
                return
            }
            """, 3, 19, "undefined signature sig2");
    }

    @Test
    void unknownConditionAndTrapCode() {
        assertParseError("""
            function %f(i32) -> i8 {
            block0(v0: i32):
                v1 = icmp lt v0, v0
                return v1
            }
            """, 3, 15, "unknown condition code 'lt'");
        assertParseError("""
            function %f() {
            block0:
                trap user256
            }
            """, 3, 10, "unknown trap code 'user256'");
    }

    @Test
    void unknownCallingConvention() {
        assertParseError("function %f() fastest {\nblock0:\n    return\n}\n", 1, 15, "unknown calling convention 'fastest'");
    }

    @Test
    void unexpectedCharacter() {
        assertParseError("function %f() {\nblock0:\n    return @\n}\n", 3, 12, "unexpected character '@'");
    }

    @Test
    void trailingTokens() {
        assertParseError("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = ineg v0 v0
                return v1
            }
            """, 3, 18, "unexpected 'v0' after instruction");
    }

    @Test
    void garbageAtTopLevel() {
        assertParseError("test run\nfunktion %f() {}\n", 2, 1, "expected 'function', 'test', 'target' or 'set', found 'funktion'");
    }

    @Test
    void badFloatLiterals() {
        String head = "function %f() -> f32 {\nblock0:\n    v0 = f32const ";
        String tail = "\n    return v0\n}\n";
        assertParseError(head + "1.5" + tail, 3, 19,
            "malformed f32 literal '1.5': a float must be hexadecimal (0x1.8p3), 0.0, Inf, NaN, NaN:0x.. or sNaN:0x..");
        assertParseError(head + "0x1.8q3" + tail, 3, 19, "malformed f32 literal '0x1.8q3': invalid character 'q'");
        assertParseError(head + "0x1.000001p0" + tail, 3, 19, "malformed f32 literal '0x1.000001p0': more significant bits than f32 holds");
        assertParseError(head + "0x1.0p128" + tail, 3, 19, "malformed f32 literal '0x1.0p128': magnitude too large for f32");
        assertParseError(head + "0x1.0p-150" + tail, 3, 19, "malformed f32 literal '0x1.0p-150': magnitude too small for f32");
        assertParseError(head + "0x1.8p-149" + tail, 3, 19,
            "malformed f32 literal '0x1.8p-149': subnormal underflow: bits below f32's precision");
        assertParseError(head + "0x1..0" + tail, 3, 19, "malformed f32 literal '0x1..0': more than one radix point");
        assertParseError(head + "0xp3" + tail, 3, 19, "malformed f32 literal '0xp3': no digits");
        assertParseError(head + "0x1.0p" + tail, 3, 19, "malformed f32 literal '0x1.0p': bad exponent ''");
        assertParseError(head + "+NaN:0x400000" + tail, 3, 19, "malformed f32 literal '+NaN:0x400000': invalid NaN payload");
        assertParseError(head + "-sNaN:0x0" + tail, 3, 19,
            "malformed f32 literal '-sNaN:0x0': invalid sNaN payload (it must be non-zero and below the quiet bit)");
        assertParseError(head + tail, 3, 19, "expected f32 literal such as 0x1.8p3, found 'return'");
        assertParseError(head + "0x1.0 0x2.0" + tail, 3, 25, "unexpected '0x2' after instruction");
        assertParseError("function %f(f32) -> i8 {\nblock0(v0: f32):\n    v1 = fcmp lg v0, v0\n    return v1\n}\n", 3, 15,
            "unknown float condition code 'lg'");
    }

    @Test
    void badRunDirectives() {
        String f = """
            function %f(i32) -> i32 {
            block0(v0: i32):
                return v0
            }
            """;
        assertParseError(f + "; run: %f(1, 2) == 3\n", 5, 8, "%f takes 1 argument, but the run directive passes 2");
        assertParseError(f + "; run: %f(1) == [1, 2]\n", 5, 8, "%f returns 1 value, but the run directive expects 2");
        assertParseError(f + "; run: %f(0x1.0) == 1\n", 5, 11,
            "run directive value '0x1.0' is not a 64-bit integer (argument 0 of %f is i32)");
        String g = """
            function %g(f32) -> f64 {
            block0(v0: f32):
                v1 = fpromote.f64 v0
                return v1
            }
            """;
        assertParseError(g + "; run: %g(1.5) == 0x1.8p0\n", 6, 11,
            "malformed f32 literal '1.5' in run directive (argument 0 of %g): a float must be hexadecimal (0x1.8p3), 0.0, Inf, NaN, NaN:0x.. or sNaN:0x..");
        assertParseError(g + "; run: %g(0x1.8p0) == 0x1.8p2000\n", 6, 23,
            "malformed f64 literal '0x1.8p2000' in run directive (result 0 of %g): magnitude too large for f64");
        assertParseError(g + "; run: %g(+sNaN:0x0) == +NaN\n", 6, 11,
            "malformed f32 literal '+sNaN:0x0' in run directive (argument 0 of %g): invalid sNaN payload (it must be non-zero and below the quiet bit)");
        assertParseError(f + "; run: %g(1) == 1\n", 5, 8, "run directive calls %g, which is not defined in this file");
        assertParseError(f + "; run: %f(1) <= 1\n", 5, 14, "expected '==' or '!=' after the call, found '<= 1'");
        assertParseError("; run: %f(1) == 1\n" + f, 1, 1, "run directive before any function");
    }

    @Test
    void declarationsAfterTheFirstBlock() {
        assertParseError("""
            function %f() {
            block0:
                ss0 = explicit_slot 8
                return
            }
            """, 3, 5, "declaration of ss0 must come before the first block");
    }

    @Test
    void badStackSlotAlignment() {
        assertParseError("""
            function %f() {
                ss0 = explicit_slot 8, align = 3
            block0:
                return
            }
            """, 2, 36, "stack slot alignment 3 is not a power of two");
    }
}
