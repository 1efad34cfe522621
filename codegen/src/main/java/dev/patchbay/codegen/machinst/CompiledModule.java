/*
 * The result of compiling a module: position-independent code plus everything the
 * runtime needs to load and patch it. Offsets are relative to the start of `code`. The
 * code ships with every patch site in its off form; `nopUnits` are the ISA's NOP
 * sequences, largest last, for consumers that fill ranges themselves.
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compiled, position-independent code and everything the runtime needs to load and patch it:
 * functions, imports, relocations, trap sites, call returns and patch sites, with every site in its
 * off form.
 */
public final class CompiledModule {
    private final byte[] code;
    public final List<FunctionInfo> functions;
    public final List<PatchSite> patchSites;
    public final List<TrapSite> trapSites;
    public final List<CallSite> callSites;
    public final List<Relocation> relocations;
    public final List<ImportInfo> imports;
    public final Map<SiteKind, Integer> hookTrampolines;
    public final int trapStub;
    private final List<byte[]> nopUnits;
    /**
     * How the code checks for epochs: NONE when it was compiled without epoch sites (it
     * cannot be interrupted), otherwise the mode its epoch sites were emitted in.
     */
    public final EpochMode epochMode;

    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits) {
        this(code, functions, patchSites, trapSites, callSites, relocations, imports, hookTrampolines, trapStub, nopUnits, EpochMode.NONE);
    }

    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits, EpochMode epochMode) {
        this.code = code.clone();
        this.functions = List.copyOf(functions);
        this.patchSites = List.copyOf(patchSites);
        this.trapSites = List.copyOf(trapSites);
        this.callSites = List.copyOf(callSites);
        this.relocations = List.copyOf(relocations);
        this.imports = List.copyOf(imports);
        // An EnumMap, not Map.copyOf: readers (the CLI's JSON) list the hooks in kind order.
        EnumMap<SiteKind, Integer> hooks = new EnumMap<>(SiteKind.class);
        hookTrampolines.forEach((k, v) -> hooks.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        this.hookTrampolines = Collections.unmodifiableMap(hooks);
        this.trapStub = trapStub;
        List<byte[]> units = new ArrayList<>(nopUnits.size());
        for (byte[] u : nopUnits) units.add(u.clone());
        this.nopUnits = List.copyOf(units);
        this.epochMode = epochMode;
    }

    public byte[] code() { return code.clone(); }

    /** Copies of the ISA's NOP sequences, entry i being i + 1 bytes long. */
    public List<byte[]> nopUnits() {
        List<byte[]> out = new ArrayList<>(nopUnits.size());
        for (byte[] u : nopUnits) out.add(u.clone());
        return out;
    }

    public int codeSize() { return code.length; }

    public FunctionInfo function(String name) {
        for (FunctionInfo f : functions) if (f.name.equals(name)) return f;
        return null;
    }

    /** The function containing a code offset, or null. */
    public FunctionInfo functionAt(int offset) {
        for (FunctionInfo f : functions) if (f.contains(offset)) return f;
        return null;
    }

    /** The trap site at an exact offset, or null. */
    public TrapSite trapAt(int offset) {
        for (TrapSite t : trapSites) if (t.offset == offset) return t;
        return null;
    }

    public PatchSite site(int id) {
        for (PatchSite s : patchSites) if (s.id == id) return s;
        return null;
    }

    /** Bytes of the code, for tests that compare against the off form. */
    public byte[] bytesAt(int offset, int len) { return Arrays.copyOfRange(code, offset, offset + len); }
}
