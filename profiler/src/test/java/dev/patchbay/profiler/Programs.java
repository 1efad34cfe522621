/*
 * Test programs (src/test/resources/*.clif) compiled with every site kind, and a Store
 * with one instance of them.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

final class Programs {
    private Programs() {}

    static String source(String resource) {
        try (InputStream in = Programs.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CompiledModule compile(String resource) {
        return Compiler.compile(ClifParser.parse(resource, source(resource)).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build());
    }

    static Instance instantiate(Engine engine, Store store, String resource) {
        return store.instantiate(engine.load(compile(resource)));
    }

    /** fib(n) makes 2 * fib(n + 1) - 1 calls. */
    static long fibCalls(int n) {
        return 2 * fib(n + 1) - 1;
    }

    static long fib(int n) {
        long a = 0, b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }
}
