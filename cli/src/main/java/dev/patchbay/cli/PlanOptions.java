/*
 * The instrumentation options shared by commands that compile: which site kinds to insert
 * and how epoch sites are emitted, and which IR transformations run first (--opt-level, a
 * string checked here rather than a picocli enum, so a wrong value gets the same
 * "--option: ..." message as the others).
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

final class PlanOptions {
    @Option(names = "--instrument", split = ",", paramLabel = "KINDS",
        description = "Site kinds to insert: all, none, or a list of epoch, profile-entry, profile-exit (default: ${DEFAULT-VALUE}).")
    List<String> kinds = new ArrayList<>(List.of("all"));

    @Option(names = "--epoch-mode", paramLabel = "MODE",
        description = "How epoch sites are emitted: fused (sites on the branches a function has anyway: zero instructions while idle), nop (5-byte NOP sites), check, poll, fuel, none (default: ${DEFAULT-VALUE}).")
    String epochMode = "fused";

    @Option(names = "--opt-level", paramLabel = "LEVEL",
        description = "none (every call in the IR stays a call: exact profiles and backtraces) or speed (turns self-recursion at the end of a path into a loop and inlines small calls and bounded self-recursion, as gcc -O2 does; inlined calls have no frame or profile count of their own) (default: ${DEFAULT-VALUE}).")
    String optLevel = "none";

    OptLevel optLevel() {
        switch (optLevel) {
            case "none": return OptLevel.NONE;
            case "speed": return OptLevel.SPEED;
            default: throw new OptionException("--opt-level: unknown level '" + optLevel + "' (expected none or speed)");
        }
    }

    InstrumentationPlan plan() {
        List<SiteKind> ks = new ArrayList<>();
        for (String k : kinds) {
            switch (k) {
                case "all":
                    ks.add(SiteKind.EPOCH);
                    ks.add(SiteKind.PROFILE_ENTRY);
                    ks.add(SiteKind.PROFILE_EXIT);
                    break;
                case "none":
                    break;
                default: {
                    SiteKind s = SiteKind.parse(k);
                    if (s == null || s == SiteKind.CUSTOM) {
                        throw new OptionException("--instrument: unknown site kind '" + k + "' (expected all, none, epoch, profile-entry, profile-exit)");
                    }
                    ks.add(s);
                }
            }
        }
        EpochMode mode = EpochMode.parse(epochMode);
        if (mode == null) throw new OptionException("--epoch-mode: unknown epoch mode '" + epochMode + "' (expected nop, fused, check, poll, fuel, none)");
        InstrumentationPlan p = InstrumentationPlan.of(ks.toArray(new SiteKind[0]));
        if (p.includes(SiteKind.EPOCH)) p = p.withEpochMode(mode);
        return p;
    }
}
