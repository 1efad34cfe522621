/*
 * An immutable compiled module, shared by every Store that instantiates it. Each Store
 * gets a private copy of the code (so patching one Store's sites never touches another's).
 *
 * fromClif and fromFile go from source to module in one call, compiled with the sites the
 * Engine's configuration asks for (Engine.compileOptions), as a Wasmtime Module is
 * compiled for its Engine's Config. Frontends that build IR themselves use codegen's
 * Compiler and Engine.load.
 */
package dev.patchbay;

import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.SkippedFunction;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.ImportInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class Module {
    /** The largest source file fromFile reads. */
    public static final long MAX_SOURCE_BYTES = 64L << 20;

    private final Engine engine;
    private final CompiledModule compiled;
    private final List<String> functionNames;
    private final List<String> importNames;

    Module(Engine engine, CompiledModule compiled) {
        this.engine = engine;
        this.compiled = compiled;
        List<String> fs = new ArrayList<>(), is = new ArrayList<>();
        for (FunctionInfo f : compiled.functions) fs.add(f.name);
        for (ImportInfo i : compiled.imports) is.add(i.name);
        this.functionNames = List.copyOf(fs);
        this.importNames = List.copyOf(is);
    }

    /**
     * Parses, verifies and compiles CLIF text for this Engine. Malformed text throws
     * ClifParseException (`name:line:col: error: ...`), invalid IR a VerifierException; a
     * function Patchbay cannot compile yet (i128, floats, vectors) is an
     * IllegalArgumentException naming it, never a silent gap in the module.
     */
    public static Module fromClif(Engine engine, String sourceName, String text) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        if (sourceName == null || text == null) throw new IllegalArgumentException("source name and text must not be null");
        engine.checkOpen();
        ClifFile file = ClifParser.parse(sourceName, text);
        if (!file.skipped().isEmpty()) {
            SkippedFunction s = file.skipped().get(0);
            throw new IllegalArgumentException(sourceName + ": function %" + s.name() + " cannot be compiled: " + s.reason());
        }
        if (file.functions().isEmpty()) throw new IllegalArgumentException(sourceName + ": no functions");
        return engine.load(Compiler.compile(file.functions(), engine.compileOptions()));
    }

    /** Reads a source file (by extension: `.clif`) and compiles it as fromClif does. */
    public static Module fromFile(Engine engine, Path path) throws IOException {
        if (path == null) throw new IllegalArgumentException("path is null");
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (!name.endsWith(".clif")) {
            throw new IllegalArgumentException(path + ": unknown kind of module (expected a .clif file)");
        }
        if (Files.isDirectory(path)) throw new IllegalArgumentException(path + ": is a directory");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes((int) MAX_SOURCE_BYTES + 1);
        }
        if (bytes.length > MAX_SOURCE_BYTES) {
            throw new IllegalArgumentException(path + ": larger than " + (MAX_SOURCE_BYTES >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(path + ": not UTF-8 text");
        }
        return fromClif(engine, path.toString(), text);
    }

    public Engine engine() { return engine; }

    public CompiledModule compiled() { return compiled; }

    public List<String> functionNames() { return functionNames; }

    public Signature signature(String function) {
        if (function == null) throw new IllegalArgumentException("function name is null");
        FunctionInfo f = compiled.function(function);
        if (f == null) throw new IllegalArgumentException("no function %" + function + " in this module");
        return f.signature;
    }

    public List<String> importNames() { return importNames; }

    public EpochMode epochMode() { return compiled.epochMode; }

    public int codeSize() { return compiled.codeSize(); }
}
