/*
 * Invalid IR. Carries every error the verifier found rather than the first, because a
 * generator bug usually shows up in several places at once and seeing them together
 * points at the cause.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.CompileException;

import java.util.List;

/** Invalid IR, with every error the verifier found. */
public final class VerifierException extends CompileException {
    private static final long serialVersionUID = 1L;

    private final transient List<VerifierError> errors;

    /**
     * A failed verification.
     *
     * @param errors every error found, at least one, copied
     */
    public VerifierException(List<VerifierError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * Every error the verifier found, in the order found.
     *
     * @return the errors, unmodifiable
     */
    public List<VerifierError> errors() { return errors; }

    private static String summary(List<VerifierError> errors) {
        StringBuilder sb = new StringBuilder();
        sb.append(errors.size()).append(errors.size() == 1 ? " verifier error" : " verifier errors");
        for (VerifierError e : errors) sb.append("\n  ").append(e);
        return sb.toString();
    }
}
