/*
 * A `set name=value` (or bare `set name`) header setting. Patchbay honours none of
 * Cranelift's settings today, but keeps them so a tool can show what a file asked for.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

/** {@code value} is null for a bare flag such as `set enable_multi_ret_implicit_sret`. */
public record Setting(String name, String value, SourceLoc loc) {
    @Override public String toString() { return value == null ? name : name + "=" + value; }
}
