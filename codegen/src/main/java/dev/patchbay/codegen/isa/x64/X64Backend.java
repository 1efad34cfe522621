/*
 * Compiles a list of IR functions into one x86-64 module.
 *
 * Per function: lower to VCode, allocate registers, then emit twice (the second pass uses
 * short branches wherever the first pass showed they fit). The module is laid out as
 *   [trap stub + unwind] [hook trampolines] [functions, aligned] [entry trampolines]
 * and the functions' symbol fixups (calls between functions, jumps to the trap stub,
 * calls to hook trampolines) are resolved once every symbol has its offset. Each patch
 * site's on form is a call to its kind's hook trampoline (or, for a CUSTOM site, to its
 * callee), computed here because only the module knows where both ends are.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.UnwindRange;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.codegen.regalloc.LinearScan;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles IR functions into one x86-64 module: lowering, register allocation, two-pass emission
 * with branch shortening, and the module layout with its trampolines, trap stub and patch-site
 * metadata.
 */
public final class X64Backend {
    private X64Backend() {}

    private static final int[] ALLOC_ORDER;

    static {
        int n = Abi.ALLOCATABLE.length;
        ALLOC_ORDER = new int[n + Abi.ALLOCATABLE_XMM.length];
        for (int i = 0; i < n; i++) ALLOC_ORDER[i] = Abi.ALLOCATABLE[i].enc();
        for (int i = 0; i < Abi.ALLOCATABLE_XMM.length; i++) ALLOC_ORDER[n + i] = Abi.xmmReg(Abi.ALLOCATABLE_XMM[i]);
    }

    public static CompiledModule compile(List<Function> functions, CompileOptions opts) {
        Set<String> names = new HashSet<>();
        for (Function f : functions) {
            if (!names.add(f.name)) throw new CompileException("duplicate function %" + f.name + " in module");
        }
        List<Emit.Output> outs = new ArrayList<>();
        boolean usesXmm = false;
        for (Function f : functions) {
            if (f.instCount() > opts.maxInstsPerFunction()) {
                throw new CompileException("function %" + f.name + " has " + f.instCount()
                    + " instructions, over the limit of " + opts.maxInstsPerFunction());
            }
            VCode vc = new Lower(f, opts, names).lower();
            usesXmm |= vc.isFloat != null;
            LinearScan.Result alloc = LinearScan.allocate(new VCodeAllocInput(vc), ALLOC_ORDER);
            outs.add(emitFunction(vc, alloc, opts));
        }
        return assemble(functions, outs, opts, usesXmm);
    }

    /** One pass: the CodeBuffer sizes the branches (relax) while the function is emitted. */
    private static Emit.Output emitFunction(VCode vc, LinearScan.Result alloc, CompileOptions opts) {
        return new Emit(vc, Rewrite.run(vc, alloc), opts).emit();
    }

    private static Set<String> defined(List<Function> functions) {
        Set<String> s = new HashSet<>();
        for (Function f : functions) s.add(f.name);
        return s;
    }

    /** External callees (called or address-taken, not defined here, not patchable), with one signature each. */
    private static Map<String, Signature> imports(List<Function> functions, Set<String> defined) {
        Map<String, Signature> out = new LinkedHashMap<>();
        for (Function f : functions) {
            for (dev.patchbay.codegen.ir.Block b : f.layout) {
                for (dev.patchbay.codegen.ir.Inst inst : b.insts) {
                    if (inst.op != dev.patchbay.codegen.ir.Opcode.CALL && inst.op != dev.patchbay.codegen.ir.Opcode.FUNC_ADDR) continue;
                    dev.patchbay.codegen.ir.ExtFunc ef = f.extFuncs.get(inst.ref);
                    if (ef.patchable || defined.contains(ef.name)) continue;
                    Signature sig = f.sigRefs.get(ef.sigRef);
                    Signature prev = out.putIfAbsent(ef.name, sig);
                    if (prev != null && !prev.equals(sig)) {
                        throw new CompileException("import %" + ef.name + " is declared with two signatures: " + prev + " and " + sig);
                    }
                }
            }
        }
        return out;
    }

    /** `usesXmm`: some function's code holds values in XMM registers, so the hook trampolines save them. */
    private static CompiledModule assemble(List<Function> functions, List<Emit.Output> outs, CompileOptions opts, boolean usesXmm) {
        // Room for every function's code and its alignment up front (the trampolines are a
        // few kilobytes): a large module's buffer is then one allocation, not a doubling
        // series of megabyte arrays.
        long room = 16_384;
        for (Emit.Output o : outs) room += o.code.length + opts.functionAlign() + opts.functionPad();
        CodeBuffer buf = new CodeBuffer((int) Math.min(1 << 30, room));
        Assembler asm = new Assembler(buf);
        Trampolines tr = new Trampolines(buf, asm, usesXmm);
        Map<String, Integer> symbols = new HashMap<>();
        int trapStub = tr.trapStub();
        symbols.put(Emit.TRAP_STUB, trapStub);
        Map<SiteKind, Integer> hooks = new EnumMap<>(SiteKind.class);
        for (SiteKind k : SiteKind.values()) {
            if (k == SiteKind.CUSTOM) continue;
            int at = tr.hook(k);
            hooks.put(k, at);
            symbols.put(Emit.hookSymbol(k), at);
        }
        int[] starts = new int[outs.size()];
        for (int i = 0; i < outs.size(); i++) {
            NopUnits.align(buf, opts.functionAlign());
            if (opts.functionPad() > 0) NopUnits.fill(buf, opts.functionPad());
            starts[i] = buf.offset();
            buf.putBytes(outs.get(i).code);
            symbols.put(Emit.fnSymbol(functions.get(i).name), starts[i]);
        }
        Map<Signature, Integer> entries = new LinkedHashMap<>();
        for (Function f : functions) entries.computeIfAbsent(f.signature, tr::entry);
        List<ImportInfo> imports = new ArrayList<>();
        List<Relocation> relocs = new ArrayList<>();
        for (Map.Entry<String, Signature> e : imports(functions, defined(functions)).entrySet()) {
            int[] t = tr.exit(imports.size(), e.getKey(), e.getValue());
            imports.add(new ImportInfo(imports.size(), e.getKey(), e.getValue(), t[0]));
            relocs.add(new Relocation(t[1], Relocation.Kind.ABS64, Relocation.HOSTCALL_DISPATCH));
            symbols.put(Emit.importSymbol(e.getKey()), t[0]);
        }
        buf.finish();

        List<FunctionInfo> infos = new ArrayList<>();
        List<PatchSite> sites = new ArrayList<>();
        List<TrapSite> traps = new ArrayList<>();
        List<CallSite> calls = new ArrayList<>();
        List<UnwindRange> unwind = new ArrayList<>(tr.unwind());
        List<dev.patchbay.codegen.machinst.LocationTable.Entry> locations = new ArrayList<>();
        List<dev.patchbay.codegen.machinst.ValueTable.Value> values = new ArrayList<>();
        List<int[]> instructions = new ArrayList<>();
        int instructionCount = 0;
        // Site ids number the sites in code order across the module, so they are stable
        // for a given input and plan.
        for (int i = 0; i < outs.size(); i++) {
            Emit.Output o = outs.get(i);
            int base = starts[i];
            Function f = functions.get(i);
            for (CodeBuffer.SymbolRef fx : o.buf.symbolRefs()) {
                Integer target = symbols.get(fx.symbol());
                if (target == null) throw new CompileException("function %" + f.name + ": unresolved symbol " + fx.symbol());
                buf.patch4(base + fx.field(), target - (base + fx.field() + 4));
            }
            for (TrapSite t : o.buf.traps()) traps.add(new TrapSite(base + t.offset, t.code));
            for (CodeBuffer.CallReturn c : o.buf.callReturns()) calls.add(new CallSite(base + c.offset(), c.callee()));
            for (CodeBuffer.Site ps : o.buf.sites()) {
                int at = base + ps.offset();
                byte[] fusedOn = ps.on();
                if (fusedOn != null) {
                    // Fused sites: both forms are relative to the function, already final.
                    sites.add(new PatchSite(sites.size(), at, fusedOn.length, ps.kind, i, ps.callee, ps.irLocation, fusedOn, ps.off()));
                    continue;
                }
                Integer target = symbols.get(ps.targetSymbol);
                if (target == null) throw new CompileException("function %" + f.name + ": patch site target " + ps.targetSymbol + " is unknown");
                byte[] on = Assembler.callRel32Bytes(at, target);
                sites.add(new PatchSite(sites.size(), at, on.length, ps.kind, i, ps.callee, ps.irLocation, on, NopUnits.PATCH_SITE_OFF));
            }
            infos.add(new FunctionInfo(i, f.name, base, base + o.code.length, base + o.codeEnd, o.frameSize, f.signature,
                entries.get(f.signature)));
            for (dev.patchbay.codegen.machinst.LocationTable.Entry e : o.locations) {
                locations.add(new dev.patchbay.codegen.machinst.LocationTable.Entry(base + e.offset(), i, e.line(), e.col()));
            }
            for (Emit.ValueRow v : o.values) {
                int[] r = v.ranges();
                for (int k = 0; k < r.length; k++) r[k] += base;
                values.add(new dev.patchbay.codegen.machinst.ValueTable.Value(i, v.value(), v.name(), v.bits(), v.kind(), v.where(), v.constant(), r));
            }
            int[] insns = o.instructions.clone();
            for (int k = 0; k < insns.length; k++) insns[k] += base;
            instructions.add(insns);
            instructionCount += insns.length;
            List<UnwindRange.Row> rows = new ArrayList<>(o.unwind.size());
            for (UnwindRange.Row r : o.unwind) rows.add(r.shifted(base));
            unwind.add(new UnwindRange(UnwindRange.Kind.FUNCTION, f.name, base, base + o.code.length, rows));
        }
        List<byte[]> units = new ArrayList<>();
        for (int len = 1; len <= NopUnits.MAX_UNIT; len++) units.add(NopUnits.unit(len));
        dev.patchbay.codegen.instrument.EpochMode mode = opts.plan().includes(dev.patchbay.codegen.instrument.SiteKind.EPOCH)
            ? opts.epochMode() : dev.patchbay.codegen.instrument.EpochMode.NONE;
        unwind.sort(java.util.Comparator.comparingInt(u -> u.start));
        int[] allInsns = new int[instructionCount];
        int at = 0;
        for (int[] insns : instructions) {
            System.arraycopy(insns, 0, allInsns, at, insns.length);
            at += insns.length;
        }
        return new CompiledModule(buf.bytes(), infos, sites, traps, calls, relocs, imports, hooks, trapStub, units, mode, unwind,
            new dev.patchbay.codegen.machinst.LocationTable(locations), new dev.patchbay.codegen.machinst.ValueTable(values),
            new dev.patchbay.codegen.machinst.InstructionTable(allInsns));
    }
}
