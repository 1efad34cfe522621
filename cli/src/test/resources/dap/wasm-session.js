// Drives `patchbay dap` on Wasm programs built from C with the DAP client VS Code's adapter
// authors test with (@vscode/debugadapter-testsupport). Usage: node wasm-session.js ADAPTER_SCRIPT DIR
// DIR holds demo.wasm with demo.c beside it, and lines.wasm with lines.c. Prints "ok NAME" per
// scenario; exits 1 with the failure on the first one that fails. Every step listens for its
// stopped event before it is sent: the adapter may send the stop before the step's response.
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const assert = require('assert');
const path = require('path');

const adapter = process.argv[2], dir = process.argv[3];

function client() {
  const dc = new DebugClient('/bin/sh', adapter, 'patchbay', undefined, true);
  dc.defaultTimeout = 60000;
  return dc;
}

// The guest's stdout, as output events deliver it: every event's text, in order.
function collectStdout(dc) {
  const seen = { text: '' };
  dc.on('output', e => { if (e.body.category === 'stdout') seen.text += e.body.output; });
  return seen;
}

function where(frame) {
  return frame.name + ' ' + (frame.source ? frame.source.path : '-') + ':' + frame.line;
}

// demo.c:57 is count_primes' calloc; main calls count_primes on line 172, and work(1) again.
async function debugsACommandAtCLines() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'demo.wasm'), source = path.join(dir, 'demo.c');
    const stdout = collectStdout(dc);
    await dc.hitBreakpoint({ program, args: ['1'] }, { path: source, line: 57 });
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log('stop: ' + st.map(where).join(' <- '));
    assert.equal(st[0].name, 'count_primes');
    assert.equal(st[0].source.path, source);
    assert.equal(st[0].line, 57);
    assert.equal(st[1].name, 'main');
    assert.equal(st[1].source.path, source);
    assert.equal(st[1].line, 172, 'the caller at its call line');
    const scopes = (await dc.scopesRequest({ frameId: st[0].id })).body.scopes;
    assert.deepEqual(scopes.map(x => x.name), ['Wasm locals', 'IR values']);
    const locals = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.ok(locals.length > 0 && locals[0].name === 'local0', 'the Wasm locals: ' + JSON.stringify(locals));
    const vars = (await dc.variablesRequest({ variablesReference: scopes[1].variablesReference })).body.variables;
    assert.ok(vars.length > 0, 'values at the stop');
    // Over to the next C line: in count_primes, past 57, as one step.
    const [, stepped] = await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    assert.equal(stepped.body.reason, 'step');
    const after = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log('next: ' + after.map(where).join(' <- '));
    assert.equal(after[0].name, 'count_primes');
    assert.equal(after[0].source.path, source);
    assert.ok(after[0].line > 57 && after[0].line <= 65, 'the next line of count_primes: ' + after[0].line);
    assert.equal(after.length, st.length, 'the same frame');
    // Then to the end, without the breakpoint (work(1) would reach it again).
    const cleared = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
    assert.equal(cleared.body.breakpoints.length, 0);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.ok(stdout.text.startsWith('20000 samples: mean 1.502208'), stdout.text);
    assert.ok(stdout.text.includes('primes below 200000: 17984\n'), stdout.text);
    assert.ok(stdout.text.endsWith('work(1) checksum: 00000000c4216a51\n'), stdout.text);
  } finally {
    await dc.stop();
  }
  console.log('ok debugsACommandAtCLines');
}

// lines.c: run (lines 16-20) calls sum (lines 7-14) on lines 17 and 18.
async function stepsIntoAndOutOfAnInvokedExport() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'lines.wasm'), source = path.join(dir, 'lines.c');
    const stdout = collectStdout(dc);
    await dc.hitBreakpoint({ program, invoke: 'run(10)' }, { path: source, line: 18 });
    // run's parameter n is Wasm local 0, and still 10 on line 18 (it computes n / 2 there).
    const top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
    assert.equal(scopes[0].name, 'Wasm locals');
    const locals = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    const n = locals.find(v => v.name === 'local0');
    assert.ok(n, 'local0 at the stop: ' + JSON.stringify(locals));
    assert.equal(n.value, '10', 'run(10)\'s parameter');
    const [, inEv] = await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    assert.equal(inEv.body.reason, 'step');
    const inner = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log('stepIn: ' + inner.map(where).join(' <- '));
    assert.deepEqual(inner.map(f => f.name), ['sum', 'run']);
    assert.ok(inner[0].line >= 7 && inner[0].line <= 14, 'a line of sum: ' + inner[0].line);
    assert.equal(inner[1].line, 18);
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    const outer = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log('stepOut: ' + outer.map(where).join(' <- '));
    assert.deepEqual(outer.map(f => f.name), ['run']);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.equal(stdout.text, process.argv[4] + '\n', 'the result of run(10)');
  } finally {
    await dc.stop();
  }
  console.log('ok stepsIntoAndOutOfAnInvokedExport');
}

// A .wasm that is not a module fails the launch with the file, the problem and its byte
// offset, and the adapter stays up for the client to say goodbye.
async function aMalformedWasmFailsTheLaunch() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'bad.wasm');
    require('fs').writeFileSync(program, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f]));
    await dc.initializeRequest();
    let failed = null;
    try {
      await dc.launchRequest({ program });
    } catch (e) {
      failed = e;
    }
    assert.ok(failed, 'the launch of a malformed module must fail');
    assert.match(failed.message, /bad\.wasm: error: .*byte offset \d+/, failed.message);
  } finally {
    await dc.stop();
  }
  console.log('ok aMalformedWasmFailsTheLaunch');
}

(async () => {
  try {
    await debugsACommandAtCLines();
    await stepsIntoAndOutOfAnInvokedExport();
    await aMalformedWasmFailsTheLaunch();
  } catch (e) {
    console.log('FAILED: ' + (e && e.stack || e));
    process.exit(1);
  }
  process.exit(0);
})();
