package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.ir.*;
import dev.patchbay.codegen.isa.x64.X64Backend;
import dev.patchbay.codegen.machinst.CompiledModule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void addAndLoop() {
        FunctionBuilder b = new FunctionBuilder("add", Signature.of(List.of(Type.I64, Type.I64), List.of(Type.I64)));
        int e = b.createEntryBlock();
        int[] p = b.blockParams(e);
        b.ret(b.binary(Opcode.IADD, p[0], p[1]));
        Function add = b.finish();

        // sum(n) = 0 + 1 + ... + n-1 with a loop
        FunctionBuilder s = new FunctionBuilder("sum", Signature.of(List.of(Type.I64), List.of(Type.I64)));
        int entry = s.createEntryBlock();
        int n = s.blockParams(entry)[0];
        int loop = s.createBlock();
        int i = s.appendBlockParam(loop, Type.I64);
        int acc = s.appendBlockParam(loop, Type.I64);
        int exit = s.createBlock();
        int r = s.appendBlockParam(exit, Type.I64);
        int zero = s.iconst(Type.I64, 0);
        s.jump(loop, zero, zero);
        s.switchToBlock(loop);
        int acc2 = s.binary(Opcode.IADD, acc, i);
        int i2 = s.binaryImm(Opcode.IADD_IMM, i, 1);
        int c = s.icmp(IntCC.SLT, i2, n);
        s.brif(c, loop, new int[] {i2, acc2}, exit, new int[] {acc2});
        s.switchToBlock(exit);
        s.ret(r);
        Function sum = s.finish();

        CompiledModule cm = X64Backend.compile(List.of(add, sum), CompileOptions.defaults());
        try (Store store = new Store(new Engine())) {
            Instance inst = store.instantiate(new Engine().load(cm));
            assertEquals(5, inst.func("add").call(2, 3)[0]);
            assertEquals(4950, inst.func("sum").call(100)[0]);
        }
    }
}
