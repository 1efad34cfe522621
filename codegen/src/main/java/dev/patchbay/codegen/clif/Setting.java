/*
 * A `set name=value` (or bare `set name`) header setting. Patchbay honours none of
 * Cranelift's settings today, but keeps them so a tool can show what a file asked for.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

/**
 * A {@code set} header setting, kept though Patchbay honours none of them.
 *
 * @param name the setting's name
 * @param value its value; null for a bare flag such as {@code set enable_multi_ret_implicit_sret}
 * @param loc where the line is
 */
public record Setting(String name, String value, SourceLoc loc) {
    @Override public String toString() { return value == null ? name : name + "=" + value; }
}
