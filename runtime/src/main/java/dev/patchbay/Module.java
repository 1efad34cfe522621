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

import dev.patchbay.wasm.translate.TranslatedModule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiled guest code, loaded into an {@link Engine}: immutable, thread-safe, and shared
 * by every {@link Store} of that Engine that instantiates it. Each Store gets a private
 * copy of the code, so patching one Store's sites never touches another's.
 *
 * <p>{@link #fromClif} and {@link #fromFile} go from source to module in one call,
 * compiled with the sites the Engine's configuration asks for ({@link
 * Engine#compileOptions()}), as a Wasmtime {@code Module} is compiled for its Engine's
 * {@code Config}. Frontends that build IR themselves compile with codegen's {@code
 * Compiler} and call {@link Engine#load}.
 */
public final class Module {
    /** The largest source file {@link #fromFile} reads, in bytes (64 MiB). */
    public static final long MAX_SOURCE_BYTES = 64L << 20;

    private final Engine engine;
    private final CompiledModule compiled;
    private final List<String> functionNames;
    private final List<String> importNames;
    private final TranslatedModule wasm;
    /** Trap frames decoded once per code offset, for every Store of this module. */
    private final TrapFrames trapFrames = new TrapFrames(this);

    Module(Engine engine, CompiledModule compiled) {
        this(engine, compiled, null);
    }

    Module(Engine engine, CompiledModule compiled, TranslatedModule wasm) {
        this.wasm = wasm;
        this.engine = engine;
        this.compiled = compiled;
        List<String> fs = new ArrayList<>(), is = new ArrayList<>();
        for (FunctionInfo f : compiled.functions) fs.add(f.name);
        for (ImportInfo i : compiled.imports) is.add(i.name);
        this.functionNames = List.copyOf(fs);
        this.importNames = List.copyOf(is);
    }

    /**
     * Parses, verifies and compiles CLIF text for an Engine, with its {@link
     * Engine#compileOptions()}, and loads the result. Invalid IR throws codegen's {@code
     * VerifierException}, which names the function and the problem. Any thread.
     *
     * @param engine the Engine to load the module into
     * @param sourceName the name error messages give the text, such as a file name
     * @param text the CLIF source: one or more functions
     * @return the module
     * @throws dev.patchbay.codegen.clif.ClifParseException if the text is malformed (the
     *         message starts {@code sourceName:line:col: error:})
     * @throws IllegalArgumentException if an argument is null, the text has no function, or
     *         a function uses what Patchbay cannot compile yet (i128, floats, vectors): the
     *         message names it, and the module is never silently incomplete
     * @throws IllegalStateException if the Engine is closed
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

    /**
     * Decodes, validates, translates and compiles a WebAssembly 2.0 binary (without SIMD) for
     * an Engine, with its {@link Engine#compileOptions()}. Instantiate it with {@link
     * WasmInstance#instantiate}. Any thread.
     *
     * @param engine the Engine to load the module into
     * @param binary the module's bytes
     * @return the module
     * @throws dev.patchbay.wasm.WasmDecodeException if the binary is malformed (with its byte offset)
     * @throws dev.patchbay.wasm.WasmValidationException if it is invalid (with its byte offset)
     * @throws WasmUnsupportedException if a function uses what the backend cannot compile yet
     * @throws IllegalStateException if the Engine is closed
     */
    public static Module fromWasm(Engine engine, byte[] binary) {
        return WasmCompiler.compile(engine, "<wasm>", binary, false);
    }

    /**
     * {@link #fromWasm(Engine, byte[])} with a choice of how memory accesses are checked.
     *
     * @param engine the Engine to load the module into
     * @param binary the module's bytes
     * @param boundsChecks compare every access with the memory's length in code, instead of
     *     relying on the guard region (the default, which costs nothing)
     * @return the module
     * @throws dev.patchbay.wasm.WasmDecodeException if the binary is malformed
     * @throws dev.patchbay.wasm.WasmValidationException if it is invalid
     * @throws WasmUnsupportedException if a function uses what the backend cannot compile yet
     * @throws IllegalStateException if the Engine is closed
     */
    public static Module fromWasm(Engine engine, byte[] binary, boolean boundsChecks) {
        return WasmCompiler.compile(engine, "<wasm>", binary, boundsChecks);
    }

    /** The Wasm translation this module was compiled from, or null for CLIF. */
    TranslatedModule wasm() { return wasm; }

    TrapFrames trapFrames() { return trapFrames; }

    /**
     * Reads a source file and compiles it as {@link #fromClif} does. The kind of module is
     * chosen by the file's extension: {@code .clif} for CLIF text, {@code .wasm} for a
     * WebAssembly binary (as {@link #fromWasm(Engine, byte[])}).
     *
     * @param engine the Engine to load the module into
     * @param path the file; error messages name it
     * @return the module
     * @throws IOException if the file cannot be read
     * @throws dev.patchbay.codegen.clif.ClifParseException if the text is malformed
     * @throws IllegalArgumentException if path is null, a directory, not a {@code .clif}
     *         file, larger than {@link #MAX_SOURCE_BYTES} or not UTF-8 text; and as {@link
     *         #fromClif}
     * @throws IllegalStateException if the Engine is closed
     */
    public static Module fromFile(Engine engine, Path path) throws IOException {
        if (path == null) throw new IllegalArgumentException("path is null");
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (name.endsWith(".wasm")) {
            if (Files.isDirectory(path)) throw new IllegalArgumentException(path + ": is a directory");
            if (Files.size(path) > MAX_SOURCE_BYTES) {
                throw new IllegalArgumentException(path + ": larger than " + (MAX_SOURCE_BYTES >> 20) + " MiB");
            }
            return WasmCompiler.compile(engine, path.toString(), Files.readAllBytes(path), false);
        }
        if (!name.endsWith(".clif")) {
            throw new IllegalArgumentException(path + ": unknown kind of module (expected a .clif or .wasm file)");
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

    /**
     * The Engine this module was loaded into; only its Stores can instantiate it.
     *
     * @return the Engine
     */
    public Engine engine() { return engine; }

    /**
     * The compiled code with all of codegen's metadata: functions with their offsets, patch
     * sites, trap sites, imports. For tools (disassemblers, tests); what most users need is
     * also here, in {@link #functionNames()}, {@link #signature}, {@link #importNames()},
     * {@link #epochMode()} and {@link #codeSize()}.
     *
     * @return the compiled module
     */
    public CompiledModule compiled() { return compiled; }

    /**
     * The module's functions, each callable through {@link Instance#func}.
     *
     * @return their names, without the {@code %} sigil, in definition order; unmodifiable
     */
    public List<String> functionNames() { return functionNames; }

    /**
     * The signature of one of the module's functions.
     *
     * @param function the function's name, without the {@code %} sigil
     * @return its parameter and result types
     * @throws IllegalArgumentException if function is null or the module has no such function
     */
    public Signature signature(String function) {
        if (function == null) throw new IllegalArgumentException("function name is null");
        FunctionInfo f = compiled.function(function);
        if (f == null) throw new IllegalArgumentException("no function %" + function + " in this module");
        return f.signature;
    }

    /**
     * The hostcalls the module imports, which a {@link Linker} must define to instantiate it.
     *
     * @return their names, without the {@code %} sigil, in declaration order; unmodifiable
     */
    public List<String> importNames() { return importNames; }

    /**
     * How the code checks for epochs: {@code NONE} (no epoch sites), {@code FUSED} or {@code
     * NOP} (Patchbay's patch sites), or a comparison mode ({@code CHECK}, {@code POLL},
     * {@code FUEL}).
     *
     * @return the epoch mode the code was compiled with
     */
    public EpochMode epochMode() { return compiled.epochMode; }

    /**
     * The size of the module's machine code, which each instance copies.
     *
     * @return the size in bytes
     */
    public int codeSize() { return compiled.codeSize(); }
}
