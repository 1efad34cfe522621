/*
 * Op.text() is the text-format name: control instructions are single words (br_if,
 * br_table, call_indirect), typed and namespaced ones have one dot (i32.add, local.get,
 * memory.grow, i32.trunc_sat_f32_s). A regression: br_if printed as "br.if".
 */
package dev.patchbay.wasm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpTextTest {
    @Test
    void controlInstructionsHaveNoDot() {
        assertEquals("br_if", Op.BR_IF.text());
        assertEquals("br_table", Op.BR_TABLE.text());
        assertEquals("call_indirect", Op.CALL_INDIRECT.text());
        assertEquals("br", Op.BR.text());
        assertEquals("select", Op.SELECT_T.text());
    }

    @Test
    void typedInstructionsHaveOneDot() {
        assertEquals("i32.add", Op.I32_ADD.text());
        assertEquals("local.get", Op.LOCAL_GET.text());
        assertEquals("memory.grow", Op.MEMORY_GROW.text());
        assertEquals("ref.is_null", Op.REF_IS_NULL.text());
        assertEquals("i32.trunc_sat_f32_s", Op.I32_TRUNC_SAT_F32_S.text());
        for (Op op : Op.values()) {
            String t = op.text();
            assertTrue(t.chars().filter(c -> c == '.').count() <= 1, t);
        }
    }
}
