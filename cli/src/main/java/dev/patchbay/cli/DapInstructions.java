/*
 * DAP's view of machine code for `patchbay dap`: instruction references, and the
 * disassemble request's instructions. A reference is "0x" + the offset in the module's
 * code (DAP clients such as VS Code do arithmetic on references, so they are numbers);
 * "%fn+0xOFF" is accepted as well, since that is how stops and the CLI name a place.
 *
 * The instructions come from the module's instruction table (CompiledModule.instructions),
 * so their boundaries never depend on a disassembler; objdump, when it is on the PATH,
 * only supplies their text. Requests that reach before the first or past the last
 * instruction are padded with "invalid" entries, as the protocol asks, so a client always
 * gets instructionCount of them.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.debug.InstructionLocation;
import org.eclipse.lsp4j.debug.DisassembledInstruction;
import org.eclipse.lsp4j.debug.DisassembledInstructionPresentationHint;
import org.eclipse.lsp4j.debug.Source;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class DapInstructions {
    /** At most this many instructions per disassemble request: a client asking for more is refused, not served a huge response. */
    static final int MAX_COUNT = 100_000;

    private DapInstructions() {}

    /** The reference of an instruction: "0x" + its module offset. */
    static String reference(CompiledModule cm, String function, int offsetInFunction) {
        FunctionInfo f = cm.function(function);
        return "0x" + Integer.toHexString((f == null ? 0 : f.start) + offsetInFunction);
    }

    /** A module offset from "0x..." (module offset) or "%fn+0x..."; throws IllegalArgumentException saying what it expected. */
    static int moduleOffset(CompiledModule cm, String ref) {
        if (ref == null) throw new IllegalArgumentException("an instruction reference is required");
        String r = ref.trim();
        try {
            if (r.startsWith("%")) {
                int plus = r.indexOf('+');
                String fn = plus < 0 ? r.substring(1) : r.substring(1, plus);
                FunctionInfo f = cm.function(fn);
                if (f == null) throw new IllegalArgumentException("no function %" + fn + " in the program");
                return f.start + (plus < 0 ? 0 : Integer.decode(r.substring(plus + 1)));
            }
            return Integer.decode(r);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("instruction reference '" + ref + "' is neither 0xOFFSET nor %function+0xOFFSET");
        }
    }

    /** The instruction location a reference plus a byte offset names. */
    static InstructionLocation parse(CompiledModule cm, String ref, int offset) {
        int at = moduleOffset(cm, ref) + offset;
        FunctionInfo f = at < 0 ? null : cm.functionAt(at);
        if (f == null || at >= f.codeEnd) throw new IllegalArgumentException("0x" + Integer.toHexString(at) + " is not in the code of a function");
        return new InstructionLocation(f.name, at - f.start);
    }

    /** The disassemble request's answer. */
    static DisassembledInstruction[] disassemble(CompiledModule cm, Path source, String ref, int byteOffset, int instructionOffset, int count) {
        if (count < 0 || count > MAX_COUNT) throw new IllegalArgumentException("instructionCount must be 0 to " + MAX_COUNT + ", got " + count);
        int[] starts = cm.instructions.startsIn(0, cm.codeSize());
        int base = moduleOffset(cm, ref) + byteOffset;
        int i0 = Arrays.binarySearch(starts, base);
        if (i0 < 0) i0 = Math.max(0, -i0 - 2);
        Map<Integer, String> text = texts(cm);
        DisassembledInstruction[] out = new DisassembledInstruction[count];
        for (int n = 0; n < count; n++) {
            long k = (long) i0 + instructionOffset + n;
            DisassembledInstruction d = new DisassembledInstruction();
            out[n] = d;
            if (k < 0 || k >= starts.length) {
                int end = starts.length == 0 ? 0 : cm.functionAt(starts[starts.length - 1]).codeEnd;
                long addr = k < 0 ? Math.max(0, (starts.length == 0 ? 0 : starts[0]) + k) : end + (k - starts.length);
                d.setAddress("0x" + Long.toHexString(addr));
                d.setInstruction("??");
                d.setPresentationHint(DisassembledInstructionPresentationHint.INVALID);
                continue;
            }
            int at = starts[(int) k];
            FunctionInfo f = cm.functionAt(at);
            int next = k + 1 < starts.length && starts[(int) k + 1] < f.codeEnd ? starts[(int) k + 1] : f.codeEnd;
            byte[] bytes = cm.bytesAt(at, next - at);
            d.setAddress("0x" + Integer.toHexString(at));
            d.setInstructionBytes(Disassembler.hex(bytes));
            String t = text.get(at);
            d.setInstruction(t != null ? t : "(objdump not found) " + Disassembler.hex(bytes));
            d.setSymbol("%" + f.name + "+0x" + Integer.toHexString(at - f.start));
            SourceLoc loc = cm.locations.locationAt(f.index, at);
            if (loc.line > 0) {
                Source s = new Source();
                s.setPath(source.toString());
                s.setName(source.getFileName().toString());
                d.setLocation(s);
                d.setLine(loc.line);
                d.setColumn(loc.col);
            }
        }
        return out;
    }

    /** objdump's text of every instruction, by module offset; empty without objdump. */
    private static Map<Integer, String> texts(CompiledModule cm) {
        Map<Integer, String> out = new HashMap<>();
        if (!Disassembler.objdumpAvailable()) return out;
        for (FunctionInfo f : cm.functions) {
            List<Disassembler.Line> lines = Disassembler.objdump(Arrays.copyOfRange(cm.code(), f.start, f.codeEnd), f.start);
            if (lines != null) for (Disassembler.Line l : lines) out.put(l.offset, l.text);
        }
        return out;
    }
}
