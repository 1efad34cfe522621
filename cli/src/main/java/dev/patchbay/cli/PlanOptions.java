/*
 * The instrumentation options shared by commands that compile: which site kinds to insert
 * and how epoch sites are emitted.
 */
package dev.patchbay.cli;

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
