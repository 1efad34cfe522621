/*
 * Entry point for reading CLIF text (Cranelift's IR format) into Patchbay IR.
 *
 * A file is a header (`test`, `target`, `set` lines) and a sequence of functions, each
 * followed by `; run:` directives. This class reads the header and the file structure;
 * FunctionParser reads each function; RunDirectiveParser reads run directives from the
 * raw lines, and this class attaches each one to the function it belongs to.
 *
 * Malformed input throws ClifParseException at the first error. Functions that use types
 * Patchbay does not support are recorded as skipped rather than failing the file, since
 * Cranelift's own run tests mix them with integer functions.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.clif.Token.Kind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.IeeeLiteral;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CLIF text, Cranelift's IR format, into Patchbay IR. Malformed input fails at the first
 * error; functions with types Patchbay cannot compile yet are kept as skipped rather than failing
 * the file.
 */
public final class ClifParser {
    private final String fileName;
    private final String text;
    private final Lexer lx;
    private final List<String> tests = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Setting> settings = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> warnedSettings = new HashSet<>();
    private final List<ClifEntry> entries = new ArrayList<>();

    private ClifParser(String fileName, String text) {
        this.fileName = fileName;
        this.text = text;
        this.lx = new Lexer(fileName, text);
    }

    /**
     * Parses a whole CLIF file.
     *
     * @param fileName the name used in diagnostics only
     * @param text the file's text
     * @return the parsed file
     * @throws ClifParseException at the first error, located by line and column
     */
    public static ClifFile parse(String fileName, String text) {
        ClifParser p = new ClifParser(fileName, text);
        p.file();
        p.attachRunDirectives();
        return new ClifFile(fileName, p.tests, p.targets, p.settings, p.warnings, p.entries);
    }

    private void file() {
        while (true) {
            Token t = lx.peek();
            if (t.is(Kind.EOF)) return;
            if (t.isIdent("function")) {
                entries.add(new FunctionParser(lx, fileName).parse());
            } else if (t.isIdent("test")) {
                lx.next();
                Lexer.RawLine rest = lx.restOfLine();
                if (rest.text().isBlank()) throw error(t.loc(), "expected a test name after 'test'");
                tests.add(rest.text().strip());
            } else if (t.isIdent("target")) {
                lx.next();
                List<String> words = words(lx.restOfLine().text());
                if (words.isEmpty()) throw error(t.loc(), "expected an architecture after 'target'");
                targets.add(new Target(words.get(0), words.subList(1, words.size()), t.loc()));
            } else if (t.isIdent("set")) {
                lx.next();
                settingLine(t, lx.restOfLine());
            } else {
                throw error(t.loc(), "expected 'function', 'test', 'target' or 'set', found " + t.describe());
            }
        }
    }

    /** `name=value` or a bare `name`; spaces around '=' are tolerated. */
    private static final Pattern SETTING = Pattern.compile("([^\\s=]+)(?:\\s*=\\s*([^\\s=]+))?|=");

    private void settingLine(Token setTok, Lexer.RawLine rest) {
        Matcher m = SETTING.matcher(rest.text());
        boolean any = false;
        while (m.find()) {
            SourceLoc loc = new SourceLoc(rest.line(), rest.col() + m.start());
            if (m.group(1) == null) throw error(loc, "expected a setting name before '='");
            any = true;
            Setting setting = new Setting(m.group(1), m.group(2), loc);
            settings.add(setting);
            // Patchbay honours no Cranelift setting yet; say so once per name, not once per line.
            if (warnedSettings.add(setting.name())) {
                warnings.add(Diagnostics.warning(fileName, loc, "ignoring setting '" + setting + "'"));
            }
        }
        if (!any) throw error(setTok.loc(), "expected a setting after 'set'");
    }

    private static List<String> words(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    // ---- run directives ----

    private void attachRunDirectives() {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            RunDirectiveParser.Parsed p = RunDirectiveParser.parse(fileName, line, i + 1);
            if (p != null) attach(p);
        }
    }

    private void attach(RunDirectiveParser.Parsed p) {
        ClifEntry preceding = null;
        for (ClifEntry e : entries) if (e.loc().line < p.loc().line) preceding = e;
        if (preceding == null) throw error(p.loc(), "run directive before any function");
        ClifEntry target = preceding;
        String name = p.function() != null ? p.function() : preceding.name();
        if (!preceding.name().equals(name)) {
            target = null;
            for (ClifEntry e : entries) {
                if (e.name().equals(name) && (target == null || e.loc().line < p.loc().line)) target = e;
            }
            if (target == null) {
                throw error(p.nameLoc(), "run directive calls %" + name + ", which is not defined in this file");
            }
        }
        Function fn = target.parsedFunction();
        if (fn != null) {
            // Literals are read at the declared types: `0x1.8p3` for an f32, `-1` for an i32.
            check(p, fn);
            long[] args = new long[p.args().size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = valueAt(p.args().get(i), fn.signature.params.get(i).type, "argument " + i, fn);
            }
            long[] expected;
            if (p.truthy()) {
                expected = new long[] {0};
            } else {
                expected = new long[p.expected().size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = valueAt(p.expected().get(i), fn.signature.returns.get(i).type, "result " + i, fn);
                }
            }
            target.addRun(new RunDirective(name, args, p.comparison(), expected, p.loc(), p.truthy(), true,
                texts(p.args()), texts(p.expected())));
            return;
        }
        boolean integral = true;
        for (RunDirectiveParser.Literal l : p.args()) integral &= l.value() != null;
        for (RunDirectiveParser.Literal l : p.expected()) integral &= l.value() != null;
        long[] expected = p.truthy() ? new long[] {0} : longs(p.expected());
        target.addRun(new RunDirective(name, longs(p.args()), p.comparison(), expected, p.loc(), p.truthy(),
            integral, texts(p.args()), texts(p.expected())));
    }

    /** A directive on a parsed function must fit its signature, or the runner cannot call it. */
    private void check(RunDirectiveParser.Parsed p, Function f) {
        int params = f.signature.params.size(), returns = f.signature.returns.size();
        if (p.args().size() != params) {
            throw error(p.nameLoc(), "%" + f.name + " takes " + count(params, "argument") + ", but the run directive passes "
                + p.args().size());
        }
        if (p.truthy()) {
            if (returns != 1) {
                throw error(p.nameLoc(), "%" + f.name + " returns " + count(returns, "value")
                    + "; a run directive without a comparison needs exactly one");
            }
        } else if (p.expected().size() != returns) {
            throw error(p.nameLoc(), "%" + f.name + " returns " + count(returns, "value") + ", but the run directive expects "
                + p.expected().size());
        }
    }

    /** A literal's bit pattern at its declared type: an integer for i8..i64, a float literal for f32 and f64. */
    private long valueAt(RunDirectiveParser.Literal l, Type t, String what, Function f) {
        if (t.isFloat()) {
            try {
                return IeeeLiteral.parse(t, l.text());
            } catch (IeeeLiteral.MalformedException e) {
                throw error(l.loc(), "malformed " + t + " literal '" + l.text() + "' in run directive (" + what + " of %"
                    + f.name + "): " + e.getMessage());
            }
        }
        if (l.value() == null) {
            throw error(l.loc(), "run directive value '" + l.text() + "' is not a 64-bit integer (" + what + " of %" + f.name
                + " is " + t + ")");
        }
        return l.value();
    }

    private static String count(int n, String word) { return n + " " + word + (n == 1 ? "" : "s"); }

    private static long[] longs(List<RunDirectiveParser.Literal> ls) {
        long[] out = new long[ls.size()];
        for (int i = 0; i < out.length; i++) {
            Long v = ls.get(i).value();
            out[i] = v == null ? 0 : v;
        }
        return out;
    }

    private static List<String> texts(List<RunDirectiveParser.Literal> ls) {
        List<String> out = new ArrayList<>();
        for (RunDirectiveParser.Literal l : ls) out.add(l.text());
        return out;
    }

    private ClifParseException error(SourceLoc loc, String msg) {
        return new ClifParseException(fileName, loc.line, loc.col, msg);
    }
}
