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
    /** The defined functions, in input order; a function's index is its position here. */
    public final List<FunctionInfo> functions;
    /** The patch sites, in code order; a site's id is its position here. */
    public final List<PatchSite> patchSites;
    /** Every offset that can trap, with the trap code a trap there reports. */
    public final List<TrapSite> trapSites;
    /** The return address of every call in guest code, for stack walks. */
    public final List<CallSite> callSites;
    /** The places the loader must fill with addresses only it knows. */
    public final List<Relocation> relocations;
    /** The hostcalls the code calls, indexed by import number. */
    public final List<ImportInfo> imports;
    /**
     * Offset of each site kind's hook trampoline, the target of its sites' on forms; every kind
     * but {@link SiteKind#CUSTOM}, whose sites call their own callee.
     */
    public final Map<SiteKind, Integer> hookTrampolines;
    /** Offset of the trap stub, where generated code jumps to raise a trap. */
    public final int trapStub;
    private final List<byte[]> nopUnits;
    /**
     * How the code checks for epochs: NONE when it was compiled without epoch sites (it
     * cannot be interrupted), otherwise the mode its epoch sites were emitted in.
     */
    public final EpochMode epochMode;
    /**
     * The call frame rules of every function, trampoline and stub, by start offset (empty
     * for a module built without them); what native debuggers unwind with.
     */
    public final List<UnwindRange> unwind;
    /**
     * Machine offset to IR location and back (empty for a module built without locations);
     * what debuggers set breakpoints and report stops with.
     */
    public final LocationTable locations;
    /**
     * Where each IR value lives over which ranges of code (empty for a module built without
     * it); what debuggers read values at a stop with.
     */
    public final ValueTable values;
    /**
     * Where each machine instruction of the functions starts (empty for a module built
     * without it); what debuggers set breakpoints by machine offset and step instructions by.
     */
    public final InstructionTable instructions;

    /**
     * A module without epoch sites ({@link EpochMode#NONE}); see the full constructor.
     *
     * @param code the code, copied
     * @param functions the functions, copied
     * @param patchSites the patch sites, copied
     * @param trapSites the trap sites, copied
     * @param callSites the call return addresses, copied
     * @param relocations the relocations, copied
     * @param imports the imports, copied
     * @param hookTrampolines hook trampoline offsets by site kind, copied
     * @param trapStub offset of the trap stub
     * @param nopUnits the ISA's NOP sequences, each copied
     */
    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits) {
        this(code, functions, patchSites, trapSites, callSites, relocations, imports, hookTrampolines, trapStub, nopUnits, EpochMode.NONE);
    }

    /**
     * A module. The backend makes these ({@link dev.patchbay.codegen.Compiler#compile}); every
     * array, list and map is copied, so a caller's later writes into them change nothing here.
     * Offsets are into {@code code}.
     *
     * @param code the code, with every patch site in its off form
     * @param functions the functions, by index
     * @param patchSites the patch sites, by id (ids are positions)
     * @param trapSites the offsets that can trap
     * @param callSites the return addresses of calls
     * @param relocations the addresses the loader fills in
     * @param imports the hostcalls, by index
     * @param hookTrampolines hook trampoline offsets by site kind; no null keys or values
     * @param trapStub offset of the trap stub
     * @param nopUnits the ISA's NOP sequences, shortest first
     * @param epochMode how the code checks for epochs ({@link EpochMode#NONE} without epoch sites)
     */
    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits, EpochMode epochMode) {
        this(code, functions, patchSites, trapSites, callSites, relocations, imports, hookTrampolines, trapStub, nopUnits,
            epochMode, List.of());
    }

    /**
     * A module with its call frame rules; see the constructor without them.
     *
     * @param code the code, with every patch site in its off form
     * @param functions the functions, by index
     * @param patchSites the patch sites, by id (ids are positions)
     * @param trapSites the offsets that can trap
     * @param callSites the return addresses of calls
     * @param relocations the addresses the loader fills in
     * @param imports the hostcalls, by index
     * @param hookTrampolines hook trampoline offsets by site kind; no null keys or values
     * @param trapStub offset of the trap stub
     * @param nopUnits the ISA's NOP sequences, shortest first
     * @param epochMode how the code checks for epochs ({@link EpochMode#NONE} without epoch sites)
     * @param unwind the call frame rules of the code's ranges, by start offset
     * @throws IllegalArgumentException if a range lies outside the code or overlaps another
     */
    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits, EpochMode epochMode, List<UnwindRange> unwind) {
        this(code, functions, patchSites, trapSites, callSites, relocations, imports, hookTrampolines, trapStub, nopUnits,
            epochMode, unwind, LocationTable.EMPTY, ValueTable.EMPTY);
    }

    /**
     * A module with its call frame rules, its location table and its value table; see the
     * constructor without them.
     *
     * @param code the code, with every patch site in its off form
     * @param functions the functions, by index
     * @param patchSites the patch sites, by id (ids are positions)
     * @param trapSites the offsets that can trap
     * @param callSites the return addresses of calls
     * @param relocations the addresses the loader fills in
     * @param imports the hostcalls, by index
     * @param hookTrampolines hook trampoline offsets by site kind; no null keys or values
     * @param trapStub offset of the trap stub
     * @param nopUnits the ISA's NOP sequences, shortest first
     * @param epochMode how the code checks for epochs ({@link EpochMode#NONE} without epoch sites)
     * @param unwind the call frame rules of the code's ranges, by start offset
     * @param locations the location table (immutable, so kept as it is)
     * @param values the value table (immutable, so kept as it is)
     * @throws IllegalArgumentException if a range lies outside the code or overlaps another
     */
    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits, EpochMode epochMode, List<UnwindRange> unwind,
                          LocationTable locations, ValueTable values) {
        this(code, functions, patchSites, trapSites, callSites, relocations, imports, hookTrampolines, trapStub, nopUnits,
            epochMode, unwind, locations, values, InstructionTable.EMPTY);
    }

    /**
     * A module with its call frame rules, its location, value and instruction tables; see the
     * constructor without them.
     *
     * @param code the code, with every patch site in its off form
     * @param functions the functions, by index
     * @param patchSites the patch sites, by id (ids are positions)
     * @param trapSites the offsets that can trap
     * @param callSites the return addresses of calls
     * @param relocations the addresses the loader fills in
     * @param imports the hostcalls, by index
     * @param hookTrampolines hook trampoline offsets by site kind; no null keys or values
     * @param trapStub offset of the trap stub
     * @param nopUnits the ISA's NOP sequences, shortest first
     * @param epochMode how the code checks for epochs ({@link EpochMode#NONE} without epoch sites)
     * @param unwind the call frame rules of the code's ranges, by start offset
     * @param locations the location table (immutable, so kept as it is)
     * @param values the value table (immutable, so kept as it is)
     * @param instructions the instruction table (immutable, so kept as it is)
     * @throws IllegalArgumentException if a range lies outside the code or overlaps another
     */
    public CompiledModule(byte[] code, List<FunctionInfo> functions, List<PatchSite> patchSites, List<TrapSite> trapSites,
                          List<CallSite> callSites, List<Relocation> relocations, List<ImportInfo> imports,
                          Map<SiteKind, Integer> hookTrampolines,
                          int trapStub, List<byte[]> nopUnits, EpochMode epochMode, List<UnwindRange> unwind,
                          LocationTable locations, ValueTable values, InstructionTable instructions) {
        this.instructions = Objects.requireNonNull(instructions, "instructions");
        this.locations = Objects.requireNonNull(locations, "locations");
        this.values = Objects.requireNonNull(values, "values");
        int prev = 0;
        for (UnwindRange u : unwind) {
            if (u.start < prev || u.end > code.length) {
                throw new IllegalArgumentException("unwind range " + u.name + " [" + u.start + ", " + u.end + ") overlaps another or lies outside the code");
            }
            prev = u.end;
        }
        this.unwind = List.copyOf(unwind);
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

    /**
     * A copy of the code, every patch site in its off form.
     *
     * @return the module's code, {@link #codeSize()} bytes, position-independent except for
     *     {@link #relocations}
     */
    public byte[] code() { return code.clone(); }

    /**
     * Copies of the ISA's recommended NOP sequences, shortest first (for x86-64, entry i is
     * i + 1 bytes long), for consumers that fill ranges themselves.
     *
     * @return a new list of new arrays; writing into them changes nothing here
     */
    public List<byte[]> nopUnits() {
        List<byte[]> out = new ArrayList<>(nopUnits.size());
        for (byte[] u : nopUnits) out.add(u.clone());
        return out;
    }

    /**
     * The size of the code.
     *
     * @return its length in bytes
     */
    public int codeSize() { return code.length; }

    /**
     * A function by name.
     *
     * @param name the function's name, without the {@code %} sigil
     * @return the function, or null if the module defines none of that name
     */
    public FunctionInfo function(String name) {
        for (FunctionInfo f : functions) if (f.name.equals(name)) return f;
        return null;
    }

    /**
     * The function whose code range contains an offset.
     *
     * @param offset an offset in the code
     * @return the function, or null if the offset is in none (a trampoline, a stub, padding)
     */
    public FunctionInfo functionAt(int offset) {
        for (FunctionInfo f : functions) if (f.contains(offset)) return f;
        return null;
    }

    /**
     * The trap site at an exact offset.
     *
     * @param offset an offset in the code
     * @return the trap site, or null if nothing traps there
     */
    public TrapSite trapAt(int offset) {
        for (TrapSite t : trapSites) if (t.offset == offset) return t;
        return null;
    }

    /**
     * A patch site by id.
     *
     * @param id the site's id
     * @return the site, or null if there is none with that id
     */
    public PatchSite site(int id) {
        for (PatchSite s : patchSites) if (s.id == id) return s;
        return null;
    }

    /**
     * A copy of a range of the code, for tests that compare against a site's off form.
     *
     * @param offset the first byte's offset
     * @param len the number of bytes
     * @return the bytes, a copy
     * @throws IndexOutOfBoundsException if the range is not inside the code
     */
    public byte[] bytesAt(int offset, int len) {
        Objects.checkFromIndexSize(offset, len, code.length);
        return Arrays.copyOfRange(code, offset, offset + len);
    }
}
