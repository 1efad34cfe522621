/*
 * Parses one `function ... { ... }` of CLIF text into a Function, by recursive descent
 * over the lexer's tokens.
 *
 * CLIF text names entities freely (v17, block3, ss2) and may use a value or block before
 * it is defined, so the parser keeps name tables: a name gets a dense id on first mention
 * and is checked for a definition at the end. Value names are kept on the Function so
 * printed IR and diagnostics use the user's names.
 *
 * The parser checks syntax, names and what it needs to build the IR (controlling types it
 * must infer, result counts). Type agreement of operands, terminators and dominance are
 * the verifier's job, so that IR built in Java gets the same checks.
 *
 * A type the IR lacks (i128, vectors, f16) throws UnsupportedTypeSignal from wherever it
 * is met; parse() turns that into a SkippedFunction and skips the body by brace matching.
 * A float function parses in full (a malformed float literal is an error with its
 * location) and is then marked skipped for the backend (Compiler.backendRefusal), with
 * its IR kept for the interpreter.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.clif.Token.Kind;
import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.ir.FloatCC;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.IeeeLiteral;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.MemFlags;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.StackSlot;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class FunctionParser {
    private static final Pattern VALUE = Pattern.compile("v[0-9]+");
    private static final Pattern BLOCK = Pattern.compile("block[0-9]+");
    private static final Pattern DECL = Pattern.compile("(ss|sig|fn)([0-9]{1,9})");
    private static final Pattern OTHER_DECL = Pattern.compile("(gv|jt|const|heap|dss|dt|mt)[0-9]+|stack_limit");
    private static final Pattern USER_NAMESPACE = Pattern.compile("u[0-9]+");

    private final Lexer lx;
    private final String fileName;

    private Function f;
    private String name;
    private SourceLoc fnLoc;
    private boolean braceOpen;

    private final Map<String, Integer> values = new HashMap<>();
    /** First mention of each value, indexed by value id (this parser creates every value). */
    private final List<SourceLoc> valueFirstUse = new ArrayList<>();
    private final Map<String, Block> blocks = new LinkedHashMap<>();
    private final Map<Block, SourceLoc> blockFirstRef = new HashMap<>();
    private final Map<Integer, Integer> slots = new HashMap<>();
    private final Map<Integer, Integer> sigs = new HashMap<>();
    private final Map<Integer, Integer> fns = new HashMap<>();
    /** Dense ids of signatures created by inline `fnN = %f(sig)` declarations. */
    private final Set<Integer> implicitSigs = new HashSet<>();
    /** Stores whose value was a forward reference: their type is filled in at the end. */
    private final List<Inst> untypedStores = new ArrayList<>();

    FunctionParser(Lexer lx, String fileName) {
        this.lx = lx;
        this.fileName = fileName;
    }

    /** Parses from the `function` keyword through the closing brace. */
    ClifEntry parse() {
        Token kw = lx.next();
        fnLoc = kw.loc();
        name = functionName(lx.next(), "after 'function'");
        try {
            Signature sig = signature();
            f = new Function(name, sig);
            f.loc = fnLoc;
            expect(Kind.LBRACE, "'{' after the signature of " + displayName());
            braceOpen = true;
            preamble();
            body();
            finish();
            // The IR handles floats, the x86-64 backend not yet: such a function is parsed
            // (the interpreter runs it) and kept out of what the compiler is given.
            String refusal = Compiler.backendRefusal(f);
            if (refusal != null) return ClifEntry.parsedButSkipped(f, new SkippedFunction(name, refusal, fnLoc));
            return ClifEntry.parsed(f);
        } catch (UnsupportedTypeSignal u) {
            if (!lx.skipToClosingBrace(braceOpen ? 1 : 0)) throw unterminated("end of file");
            return ClifEntry.skipped(new SkippedFunction(name, "unsupported type " + u.typeName, fnLoc));
        }
    }

    private String displayName() { return name.contains(":") ? name : "%" + name; }

    // ---- names and types ----

    /** `%name` or a user name `u0:1`, with the first token already consumed. */
    private String functionName(Token t, String where) {
        if (t.is(Kind.PERCENT_NAME)) return t.text();
        if (t.is(Kind.IDENT) && USER_NAMESPACE.matcher(t.text()).matches() && lx.peek().is(Kind.COLON)) {
            lx.next();
            Token idx = lx.next();
            if (!idx.is(Kind.NUMBER) || IntegerLiteral.parseMagnitude(idx.text()) == null) {
                throw error(idx, "expected a number after '" + t.text() + ":', found " + idx.describe());
            }
            return t.text() + ":" + idx.text();
        }
        throw error(t, "expected a function name such as %f or u0:1 " + where + ", found " + t.describe());
    }

    private Type type() {
        Token t = lx.next();
        if (!t.is(Kind.IDENT)) throw error(t, "expected a type, found " + t.describe());
        return typeOf(t);
    }

    private Type typeOf(Token t) {
        Type ty = Type.parse(t.text());
        if (ty != null && ty.isSupported()) return ty;
        if (TypeNames.isKnownUnsupported(t.text())) throw new UnsupportedTypeSignal(t.text());
        throw error(t, "unknown type '" + t.text() + "'");
    }

    private Signature signature() {
        expect(Kind.LPAREN, "'(' to start the signature");
        List<AbiParam> params = new ArrayList<>();
        if (!lx.peek().is(Kind.RPAREN)) {
            while (true) {
                params.add(abiParam(true));
                if (!lx.peek().is(Kind.COMMA)) break;
                lx.next();
            }
        }
        Token close = lx.next();
        if (!close.is(Kind.RPAREN)) {
            throw error(close, "expected ',' or ')' in the parameter list, found " + close.describe());
        }
        List<AbiParam> returns = new ArrayList<>();
        if (lx.peek().is(Kind.ARROW)) {
            lx.next();
            while (true) {
                returns.add(abiParam(false));
                if (!lx.peek().is(Kind.COMMA)) break;
                lx.next();
            }
        }
        CallConv cc = CallConv.SYSTEM_V;
        if (lx.peek().is(Kind.IDENT) && lx.nextOnSameLine()) {
            Token t = lx.next();
            cc = CallConv.parse(t.text());
            if (cc == null) throw error(t, "unknown calling convention '" + t.text() + "'");
        }
        return new Signature(params, returns, cc);
    }

    private AbiParam abiParam(boolean inParams) {
        Type t = type();
        AbiParam.Ext ext = AbiParam.Ext.NONE;
        while (lx.peek().is(Kind.IDENT) && lx.nextOnSameLine()) {
            Token a = lx.peek();
            if (a.isIdent("uext")) {
                ext = AbiParam.Ext.UEXT;
            } else if (a.isIdent("sext")) {
                ext = AbiParam.Ext.SEXT;
            } else if (!inParams) {
                break; // a calling convention follows the returns
            } else if (Type.parse(a.text()) != null || TypeNames.isKnownUnsupported(a.text())) {
                throw error(a, "expected ',' after parameter type, found " + a.describe());
            } else {
                throw error(a, "unsupported parameter attribute '" + a.text() + "'");
            }
            lx.next();
        }
        return new AbiParam(t, ext);
    }

    // ---- preamble ----

    private void preamble() {
        while (true) {
            Token t = lx.peek();
            if (!t.is(Kind.IDENT) || !lx.peek(1).is(Kind.EQUALS)) return;
            Matcher m = DECL.matcher(t.text());
            if (m.matches()) {
                lx.next();
                lx.next();
                int num = Integer.parseInt(m.group(2));
                switch (m.group(1)) {
                    case "ss": stackSlotDecl(t, num); break;
                    case "sig": sigDecl(t, num); break;
                    default: fnDecl(t, num); break;
                }
                endOfLine("declaration");
            } else if (OTHER_DECL.matcher(t.text()).matches()) {
                throw error(t, "unsupported declaration '" + t.text()
                    + "': Patchbay supports stack slots, signatures and function references");
            } else {
                return;
            }
        }
    }

    private void stackSlotDecl(Token decl, int num) {
        Token kind = lx.next();
        if (!kind.isIdent("explicit_slot")) {
            throw error(kind, "unsupported stack slot kind " + kind.describe() + ": expected explicit_slot");
        }
        int size = (int) unsignedNumber("stack slot size", Integer.MAX_VALUE);
        int align = 1;
        while (lx.peek().is(Kind.COMMA) && lx.nextOnSameLine()) {
            lx.next();
            Token key = lx.next();
            if (!key.isIdent("align")) throw error(key, "unknown stack slot option " + key.describe());
            expect(Kind.EQUALS, "'=' after 'align'");
            Token at = lx.peek();
            long a = unsignedNumber("alignment", 1L << 30);
            if (a == 0 || Long.bitCount(a) != 1) throw error(at, "stack slot alignment " + a + " is not a power of two");
            align = (int) a;
        }
        if (slots.containsKey(num)) throw error(decl, "duplicate stack slot " + decl.text());
        f.stackSlots.add(new StackSlot(size, align, decl.loc()));
        slots.put(num, f.stackSlots.size() - 1);
    }

    private void sigDecl(Token decl, int num) {
        Signature s = signature();
        if (sigs.containsKey(num)) throw error(decl, "duplicate signature " + decl.text());
        f.sigRefs.add(s);
        sigs.put(num, f.sigRefs.size() - 1);
    }

    private void fnDecl(Token decl, int num) {
        boolean colocated = false, patchable = false;
        while (true) {
            Token t = lx.peek();
            if (t.isIdent("colocated") && !colocated) colocated = true;
            else if (t.isIdent("patchable") && !patchable) patchable = true;
            else break;
            lx.next();
        }
        String callee = functionName(lx.next(), "in " + decl.text() + " declaration");
        int sigRef;
        if (lx.peek().is(Kind.LPAREN)) {
            f.sigRefs.add(signature());
            sigRef = f.sigRefs.size() - 1;
            implicitSigs.add(sigRef);
        } else {
            sigRef = sigRef(lx.next());
        }
        if (fns.containsKey(num)) throw error(decl, "duplicate function reference " + decl.text());
        ExtFunc e = new ExtFunc(callee, sigRef, colocated, patchable);
        e.loc = decl.loc();
        f.extFuncs.add(e);
        fns.put(num, f.extFuncs.size() - 1);
    }

    // ---- entity references ----

    private int sigRef(Token t) {
        Matcher m = DECL.matcher(t.is(Kind.IDENT) ? t.text() : "");
        if (!m.matches() || !m.group(1).equals("sig")) {
            throw error(t, "expected a signature reference such as sig0, found " + t.describe());
        }
        int num = Integer.parseInt(m.group(2));
        Integer id = sigs.get(num);
        if (id != null) return id;
        // Inline fn signatures are numbered like Cranelift numbers them: in declaration
        // order. call_indirect.clif relies on that (its `sig0` declaration is commented out).
        if (implicitSigs.contains(num)) return num;
        throw error(t, "undefined signature " + t.text());
    }

    private int fnRef(Token t) {
        Matcher m = DECL.matcher(t.is(Kind.IDENT) ? t.text() : "");
        if (!m.matches() || !m.group(1).equals("fn")) {
            throw error(t, "expected a function reference such as fn0, found " + t.describe());
        }
        Integer id = fns.get(Integer.parseInt(m.group(2)));
        if (id == null) throw error(t, "undefined function reference " + t.text());
        return id;
    }

    private int slotRef(Token t) {
        Matcher m = DECL.matcher(t.is(Kind.IDENT) ? t.text() : "");
        if (!m.matches() || !m.group(1).equals("ss")) {
            throw error(t, "expected a stack slot such as ss0, found " + t.describe());
        }
        Integer id = slots.get(Integer.parseInt(m.group(2)));
        if (id == null) throw error(t, "undefined stack slot " + t.text());
        return id;
    }

    private Block blockRef(Token t) {
        if (!t.is(Kind.IDENT) || !BLOCK.matcher(t.text()).matches()) {
            throw error(t, "expected a block such as block1, found " + t.describe());
        }
        Block b = blocks.get(t.text());
        if (b == null) {
            b = f.newBlock(t.text());
            blocks.put(t.text(), b);
            blockFirstRef.put(b, t.loc());
        }
        return b;
    }

    /** Consumes a token that must be a value name. */
    private Token valueTok() {
        Token t = lx.next();
        if (!t.is(Kind.IDENT) || !VALUE.matcher(t.text()).matches()) {
            throw error(t, "expected a value such as v1, found " + t.describe());
        }
        return t;
    }

    private int use(Token t) {
        Integer id = values.get(t.text());
        if (id == null) id = newValue(t, null);
        return id;
    }

    private int newValue(Token t, Type type) {
        int id = f.newValue(type, t.text());
        values.put(t.text(), id);
        valueFirstUse.add(t.loc());
        return id;
    }

    private int define(Token t, Type type) {
        Integer id = values.get(t.text());
        if (id == null) return newValue(t, type);
        if (f.isDefined(id)) throw error(t, "duplicate value " + t.text());
        f.setValueType(id, type);
        return id;
    }

    // ---- blocks ----

    private void body() {
        Block current = null;
        while (true) {
            Token t = lx.peek();
            if (t.is(Kind.RBRACE)) {
                lx.next();
                return;
            }
            if (t.is(Kind.EOF)) throw unterminated("end of file");
            if (t.isIdent("function")) throw unterminated("the next 'function'");
            if (t.is(Kind.IDENT) && BLOCK.matcher(t.text()).matches()) {
                current = blockHeader();
            } else if (current == null) {
                throw error(t, "expected a block header such as 'block0:', found " + t.describe());
            } else {
                instruction(current);
            }
        }
    }

    private Block blockHeader() {
        Token nameTok = lx.next();
        Block b = blockRef(nameTok);
        if (b.inLayout) throw error(nameTok, "duplicate block " + nameTok.text());
        f.appendToLayout(b);
        b.loc = nameTok.loc();
        if (lx.peek().is(Kind.LPAREN)) {
            lx.next();
            if (!lx.peek().is(Kind.RPAREN)) {
                while (true) {
                    Token v = lx.next();
                    if (!v.is(Kind.IDENT) || !VALUE.matcher(v.text()).matches()) {
                        throw error(v, "expected a block parameter such as v0, found " + v.describe());
                    }
                    expect(Kind.COLON, "':' after block parameter " + v.text());
                    Type ty = type();
                    int id = define(v, ty);
                    f.defineByParam(id, b);
                    int[] p = java.util.Arrays.copyOf(b.params, b.params.length + 1);
                    p[p.length - 1] = id;
                    b.params = p;
                    if (!lx.peek().is(Kind.COMMA)) break;
                    lx.next();
                }
            }
            Token close = lx.next();
            if (!close.is(Kind.RPAREN)) {
                throw error(close, "expected ',' or ')' after block parameter, found " + close.describe());
            }
        }
        if (lx.peek().isIdent("cold")) {
            lx.next();
            b.cold = true;
        }
        expect(Kind.COLON, "':' after block header " + nameTok.text());
        return b;
    }

    // ---- instructions ----

    private void instruction(Block block) {
        Token first = lx.peek();
        List<Token> resultToks = new ArrayList<>();
        if (first.is(Kind.IDENT) && VALUE.matcher(first.text()).matches()) {
            resultToks.add(lx.next());
            while (lx.peek().is(Kind.COMMA)) {
                lx.next();
                Token r = lx.next();
                if (!r.is(Kind.IDENT) || !VALUE.matcher(r.text()).matches()) {
                    throw error(r, "expected a result value such as v2 after ',', found " + r.describe());
                }
                resultToks.add(r);
            }
            expect(Kind.EQUALS, "'=' after the instruction results");
        } else if (first.is(Kind.IDENT) && lx.peek(1).is(Kind.EQUALS)
                   && (DECL.matcher(first.text()).matches() || OTHER_DECL.matcher(first.text()).matches())) {
            throw error(first, "declaration of " + first.text() + " must come before the first block");
        }
        Token opTok = lx.next();
        if (!opTok.is(Kind.IDENT)) throw error(opTok, "expected an opcode, found " + opTok.describe());
        Type suffix = null;
        if (lx.peek().is(Kind.DOT) && lx.peek().start() == opTok.end()) {
            lx.next();
            suffix = type();
        }
        Opcode op = Opcode.byName(opTok.text());
        if (op == null) {
            if (TypeNames.isFloatOpcode(opTok.text())) {
                String ty = TypeNames.floatOpcodeType(opTok.text());
                throw new UnsupportedTypeSignal(ty != null ? ty : "float (opcode " + opTok.text() + ")");
            }
            throw error(opTok, "unknown opcode '" + opTok.text() + "'");
        }
        if (op.ctrl == Opcode.Ctrl.EXPLICIT && suffix == null) {
            throw error(opTok, op.clif + " needs a type suffix, e.g. " + op.clif + ".i64");
        }
        if (op.ctrl == Opcode.Ctrl.NONE && suffix != null) {
            throw error(opTok, op.clif + " does not take a type suffix");
        }

        Inst inst = new Inst(op);
        inst.loc = first.loc();
        List<Token> argToks = new ArrayList<>();
        operands(inst, suffix, argToks);
        inst.args = values(argToks);
        inst.type = controllingType(inst, suffix, argToks);

        Type[] rt = f.resultTypes(inst);
        if (rt.length != resultToks.size()) {
            Token at = resultToks.isEmpty() ? opTok : first;
            throw error(at, op.clif + " produces " + plural(rt.length, "result") + ", but "
                + resultToks.size() + (resultToks.size() == 1 ? " is" : " are") + " named");
        }
        int[] results = new int[rt.length];
        for (int i = 0; i < rt.length; i++) {
            results[i] = define(resultToks.get(i), rt[i]);
            f.defineByInst(results[i], inst);
        }
        inst.results = results;
        endOfLine("instruction");
        block.insts.add(inst);
    }

    /** Parses the operands after the opcode; value operand tokens go to argToks in order. */
    private void operands(Inst inst, Type suffix, List<Token> argToks) {
        switch (inst.op.format) {
            case NULLARY:
                break;
            case UNARY_IMM:
                inst.imm = immediateFor(suffix);
                break;
            case UNARY_IEEE:
                inst.imm = floatImmediate(inst.op == Opcode.F32CONST ? Type.F32 : Type.F64);
                break;
            case UNARY:
                if (inst.op == Opcode.BITCAST) inst.flags = memFlags();
                argToks.add(valueTok());
                break;
            case FLOAT_COMPARE:
                inst.fcond = floatCondition();
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                break;
            case BINARY:
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                break;
            case BINARY_IMM:
                argToks.add(valueTok());
                comma("operand");
                inst.imm = imm64();
                break;
            case TERNARY:
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                break;
            case INT_COMPARE:
                inst.cond = condition();
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                break;
            case INT_COMPARE_IMM:
                inst.cond = condition();
                argToks.add(valueTok());
                comma("operand");
                inst.imm = imm64();
                break;
            case INT_ADD_TRAP:
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                comma("operand");
                inst.trapCode = trapCode();
                break;
            case JUMP:
                inst.targets = new BlockCall[] {blockCall()};
                break;
            case BRIF: {
                argToks.add(valueTok());
                comma("condition");
                BlockCall then = blockCall();
                comma("branch target");
                inst.targets = new BlockCall[] {then, blockCall()};
                break;
            }
            case BRANCH_TABLE: {
                argToks.add(valueTok());
                comma("index");
                List<BlockCall> targets = new ArrayList<>();
                targets.add(blockCall());
                comma("default target");
                expect(Kind.LBRACKET, "'[' to start the jump table");
                if (!lx.peek().is(Kind.RBRACKET)) {
                    while (true) {
                        targets.add(blockCall());
                        if (!lx.peek().is(Kind.COMMA)) break;
                        lx.next();
                    }
                }
                Token close = lx.next();
                if (!close.is(Kind.RBRACKET)) {
                    throw error(close, "expected ',' or ']' in the jump table, found " + close.describe());
                }
                inst.targets = targets.toArray(new BlockCall[0]);
                break;
            }
            case RETURN:
                if (lx.nextOnSameLine() && lx.peek().is(Kind.IDENT)) {
                    argToks.add(valueTok());
                    while (lx.nextOnSameLine()) {
                        comma("operand");
                        argToks.add(valueTok());
                    }
                }
                break;
            case CALL:
                inst.ref = fnRef(lx.next());
                argToks.addAll(argumentList());
                break;
            case CALL_INDIRECT:
                inst.ref = sigRef(lx.next());
                comma("signature");
                argToks.add(valueTok());
                argToks.addAll(argumentList());
                break;
            case FUNC_ADDR:
                inst.ref = fnRef(lx.next());
                break;
            case STACK_LOAD:
            case STACK_ADDR:
                inst.ref = slotRef(lx.next());
                inst.offset = offset();
                break;
            case STACK_STORE:
                argToks.add(valueTok());
                comma("operand");
                inst.ref = slotRef(lx.next());
                inst.offset = offset();
                break;
            case LOAD:
                inst.flags = memFlags();
                argToks.add(valueTok());
                inst.offset = offset();
                break;
            case STORE:
                inst.flags = memFlags();
                argToks.add(valueTok());
                comma("operand");
                argToks.add(valueTok());
                inst.offset = offset();
                break;
            case TRAP:
                inst.trapCode = trapCode();
                break;
            case COND_TRAP:
                argToks.add(valueTok());
                comma("condition");
                inst.trapCode = trapCode();
                break;
            default:
                throw new AssertionError(inst.op.format);
        }
    }

    private int[] values(List<Token> toks) {
        int[] out = new int[toks.size()];
        for (int i = 0; i < out.length; i++) out[i] = use(toks.get(i));
        return out;
    }

    private Type controllingType(Inst inst, Type suffix, List<Token> argToks) {
        switch (inst.op.ctrl) {
            case NONE:
                if (inst.op == Opcode.F32CONST) return Type.F32;
                if (inst.op == Opcode.F64CONST) return Type.F64;
                return null;
            case EXPLICIT:
                return suffix;
            case ARG0:
            case ARG1: {
                if (suffix != null) return suffix;
                int i = inst.op.ctrl == Opcode.Ctrl.ARG0 ? 0 : 1;
                Type t = f.valueType(inst.args[i]);
                if (t == null) {
                    throw error(argToks.get(i), "type of " + argToks.get(i).text() + " must be known here: add a type suffix");
                }
                return t;
            }
            case OPTIONAL:
                // call_indirect's suffix only restates the callee address type, which the
                // verifier checks on the value itself.
                if (inst.op == Opcode.CALL_INDIRECT) return null;
                if (suffix != null) return suffix;
                Type t = f.valueType(inst.args[0]);
                if (t == null) untypedStores.add(inst);
                return t;
            default:
                throw new AssertionError(inst.op.ctrl);
        }
    }

    private BlockCall blockCall() {
        Block b = blockRef(lx.next());
        int[] args = Inst.NO_VALUES;
        if (lx.peek().is(Kind.LPAREN)) args = values(argumentList());
        return new BlockCall(b.id, args);
    }

    /** `(v1, v2)`: the value tokens. */
    private List<Token> argumentList() {
        expect(Kind.LPAREN, "'(' to start the argument list");
        List<Token> out = new ArrayList<>();
        if (lx.peek().is(Kind.RPAREN)) {
            lx.next();
            return out;
        }
        while (true) {
            out.add(valueTok());
            Token t = lx.next();
            if (t.is(Kind.RPAREN)) return out;
            if (!t.is(Kind.COMMA)) throw error(t, "expected ',' or ')' after operand, found " + t.describe());
        }
    }

    private IntCC condition() {
        Token t = lx.next();
        IntCC cc = t.is(Kind.IDENT) ? IntCC.parse(t.text()) : null;
        if (cc == null) throw error(t, "unknown condition code " + t.describe());
        return cc;
    }

    private FloatCC floatCondition() {
        Token t = lx.next();
        FloatCC cc = t.is(Kind.IDENT) ? FloatCC.parse(t.text()) : null;
        if (cc == null) throw error(t, "unknown float condition code " + t.describe());
        return cc;
    }

    /** An f32const/f64const literal, exact, as its bit pattern. */
    private long floatImmediate(Type t) {
        Token lit = lx.rawLiteral();
        if (lit.text().isEmpty()) throw error(lit, "expected " + t + " literal such as 0x1.8p3, found " + lx.peek().describe());
        try {
            return IeeeLiteral.parse(t, lit.text());
        } catch (IeeeLiteral.MalformedException e) {
            throw error(lit, "malformed " + t + " literal '" + lit.text() + "': " + e.getMessage());
        }
    }

    private TrapCode trapCode() {
        Token t = lx.next();
        TrapCode tc = t.is(Kind.IDENT) ? TrapCode.parse(t.text()) : null;
        if (tc == null) throw error(t, "unknown trap code " + t.describe());
        return tc;
    }

    private MemFlags memFlags() {
        int bits = 0;
        while (lx.peek().is(Kind.IDENT)) {
            int bit = MemFlags.parseFlag(lx.peek().text());
            if (bit == 0) break;
            lx.next();
            bits |= bit;
        }
        return bits == 0 ? MemFlags.NONE : new MemFlags(bits);
    }

    /** An optional `+N` / `-N` byte offset on the same line. */
    private int offset() {
        Token sign = lx.peek();
        if (!(sign.is(Kind.PLUS) || sign.is(Kind.MINUS)) || !lx.nextOnSameLine()) return 0;
        lx.next();
        Token num = lx.next();
        BigInteger v = magnitude(num);
        if (sign.is(Kind.MINUS)) v = v.negate();
        if (!IntegerLiteral.fitsSigned(v, 32)) {
            throw error(sign, "offset " + sign.text() + num.text() + " does not fit in 32 bits");
        }
        return v.intValue();
    }

    /** An integer immediate for iconst: must fit the type, stored zero-extended. */
    private long immediateFor(Type t) {
        Token at = lx.peek();
        String[] text = new String[1];
        BigInteger v = signedInteger(text);
        if (!IntegerLiteral.fits(v, t.bits())) throw error(at, "integer " + text[0] + " does not fit in " + t);
        return t.zeroExtend(IntegerLiteral.toLong(v));
    }

    /** An Imm64 (the `_imm` forms): any 64-bit pattern, signed or unsigned. */
    private long imm64() {
        Token at = lx.peek();
        String[] text = new String[1];
        BigInteger v = signedInteger(text);
        if (!IntegerLiteral.fits(v, 64)) throw error(at, "integer " + text[0] + " does not fit in 64 bits");
        return IntegerLiteral.toLong(v);
    }

    private BigInteger signedInteger(String[] textOut) {
        Token t = lx.next();
        String sign = "";
        if (t.is(Kind.MINUS) || t.is(Kind.PLUS)) {
            sign = t.text();
            t = lx.next();
        }
        BigInteger m = magnitude(t);
        textOut[0] = sign + t.text();
        return sign.equals("-") ? m.negate() : m;
    }

    private BigInteger magnitude(Token t) {
        if (!t.is(Kind.NUMBER)) throw error(t, "expected an integer, found " + t.describe());
        BigInteger m = IntegerLiteral.parseMagnitude(t.text());
        if (m == null) throw error(t, "malformed integer '" + t.text() + "'");
        return m;
    }

    private long unsignedNumber(String what, long max) {
        Token t = lx.next();
        if (!t.is(Kind.NUMBER)) throw error(t, "expected " + what + ", found " + t.describe());
        BigInteger m = magnitude(t);
        if (m.compareTo(BigInteger.valueOf(max)) > 0) throw error(t, what + " " + t.text() + " is too large");
        return m.longValue();
    }

    // ---- end of function ----

    private void finish() {
        SourceLoc worst = null;
        String msg = null;
        for (int v = 0; v < f.numValues(); v++) {
            if (!f.isDefined(v) && isEarlier(valueFirstUse.get(v), worst)) {
                worst = valueFirstUse.get(v);
                msg = "undefined value " + f.valueName(v);
            }
        }
        for (Block b : blocks.values()) {
            if (!b.inLayout && isEarlier(blockFirstRef.get(b), worst)) {
                worst = blockFirstRef.get(b);
                msg = "undefined block " + b.name;
            }
        }
        if (worst != null) throw new ClifParseException(fileName, worst.line, worst.col, msg);
        for (Inst s : untypedStores) s.type = f.valueType(s.args[0]);
    }

    private static boolean isEarlier(SourceLoc a, SourceLoc than) {
        return than == null || a.line < than.line || (a.line == than.line && a.col < than.col);
    }

    // ---- helpers ----

    private Token expect(Kind k, String what) {
        Token t = lx.next();
        if (!t.is(k)) throw error(t, "expected " + what + ", found " + t.describe());
        return t;
    }

    private void comma(String after) {
        Token t = lx.next();
        if (!t.is(Kind.COMMA)) throw error(t, "expected ',' after " + after + ", found " + t.describe());
    }

    private void endOfLine(String what) {
        if (lx.nextOnSameLine()) {
            Token t = lx.peek();
            throw error(t, "unexpected " + t.describe() + " after " + what);
        }
    }

    private ClifParseException unterminated(String before) {
        return new ClifParseException(fileName, fnLoc.line, fnLoc.col,
            "unterminated function " + displayName() + ": no closing '}' before " + before);
    }

    private ClifParseException error(Token t, String msg) {
        return new ClifParseException(fileName, t.line(), t.col(), msg);
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
