// Drives `patchbay dap` with the DAP client VS Code's adapter authors test with
// (@vscode/debugadapter-testsupport). Usage: node session.js ADAPTER_SCRIPT DIR
// DIR holds fib.clif, bad.clif, runaway.clif, calls.clif, loop.clif and thirds.clif. Prints "ok NAME" per scenario; exits 1
// with the failure on the first one that fails.
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const assert = require('assert');
const path = require('path');

// With a fourth argument, only runsToTheEnd, over TCP to `patchbay dap --port` on that port.
const adapter = process.argv[2], dir = process.argv[3], port = process.argv[4] ? Number(process.argv[4]) : undefined;

function client() {
  const dc = new DebugClient('/bin/sh', adapter, 'patchbay', undefined, true);
  dc.defaultTimeout = 20000;
  return dc;
}

async function runsToTheEnd() {
  const dc = client();
  await dc.start(port);
  try {
    const program = path.join(dir, 'fib.clif');
    // The adapter sends `initialized` right after its initialize response.
    const initialized = dc.waitForEvent('initialized');
    const init = await dc.initializeRequest();
    assert.ok(init.body.supportsConfigurationDoneRequest, 'supportsConfigurationDoneRequest');
    await initialized;
    await dc.launchRequest({ program, invoke: 'fib(20)' });
    // A line past the program's last instruction has no code to stop at: unverified, with why.
    const bps = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 1000 }] });
    assert.equal(bps.body.breakpoints.length, 1);
    assert.equal(bps.body.breakpoints[0].verified, false);
    assert.match(bps.body.breakpoints[0].message, /no code at or after line 1000/);
    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
    const out = dc.assertOutput('stdout', '6765\n');
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await dc.configurationDoneRequest();
    await out;
    assert.equal((await exited).body.exitCode, 0);
    await terminated;
  } finally {
    await dc.stop();
  }
  console.log('ok runsToTheEnd');
}

async function aBadProgramFailsTheLaunch() {
  const dc = client();
  await dc.start();
  try {
    await dc.initializeRequest();
    let message = null;
    try {
      await dc.launchRequest({ program: path.join(dir, 'bad.clif'), invoke: 'f()' });
    } catch (e) {
      message = e.message;
    }
    assert.ok(message !== null, 'launch of a bad program must fail');
    assert.match(message, /bad\.clif:\d+:\d+: error: /);
  } finally {
    await dc.stop();
  }
  console.log('ok aBadProgramFailsTheLaunch');
}

async function terminateStopsARunawayGuest() {
  const dc = client();
  await dc.start();
  try {
    await dc.initializeRequest();
    await dc.launchRequest({ program: path.join(dir, 'runaway.clif'), invoke: 'spin(0)' });
    const exited = dc.waitForEvent('exited');
    const trap = dc.assertOutput('stderr', 'trap: interrupt');
    await dc.configurationDoneRequest();
    await new Promise(r => setTimeout(r, 300));
    await dc.terminateRequest({});
    await trap;
    assert.equal((await exited).body.exitCode, 3);
  } finally {
    await dc.stop();
  }
  console.log('ok terminateStopsARunawayGuest');
}

// calls.clif: %inc (lines 1-5) and %main (lines 6-13), which calls inc on line 10.
async function debugsAProgram() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'calls.clif');
    // The client's own sequence: launch, breakpoints at `initialized`, configurationDone, stop.
    await dc.hitBreakpoint({ program, invoke: 'main(5)' }, { path: program, line: 10 });
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const top = st.body.stackFrames[0];
    assert.equal(top.name, 'main');
    const scopes = await dc.scopesRequest({ frameId: top.id });
    const vars = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
    const value = name => (vars.find(v => v.name === name) || {}).value;
    assert.equal(value('v1'), '15', 'v1 = v0 + 10 at the call: ' + JSON.stringify(vars));
    assert.equal(vars.find(v => v.name === 'v1').type, 'i64');
    // Into the call, out of it, over the next line, then to the end.
    await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { path: program, line: 3 })]);
    const inner = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(inner.body.stackFrames.map(f => f.name), ['inc', 'main']);
    const innerVars = (await dc.variablesRequest({ variablesReference: (await dc.scopesRequest({ frameId: inner.body.stackFrames[0].id })).body.scopes[0].variablesReference })).body.variables;
    assert.equal((innerVars.find(v => v.name === 'v0') || {}).value, '15', 'inc got 15: ' + JSON.stringify(innerVars));
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { path: program, line: 11 })]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { path: program, line: 12 })]);
    const out = dc.assertOutput('stdout', '48\n');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await out;
    assert.equal((await exited).body.exitCode, 0);
  } finally {
    await dc.stop();
  }
  console.log('ok debugsAProgram');
}

async function pauseStopsARunawayGuest() {
  const dc = client();
  await dc.start();
  try {
    await dc.initializeRequest();
    await dc.launchRequest({ program: path.join(dir, 'runaway.clif'), invoke: 'spin(0)' });
    await dc.configurationDoneRequest();
    await new Promise(r => setTimeout(r, 300));
    const stopped = dc.assertStoppedLocation('pause', { line: 6 });
    await dc.pauseRequest({ threadId: 1 });
    await stopped;
    const exited = dc.waitForEvent('exited');
    await dc.terminateRequest({});
    assert.equal((await exited).body.exitCode, 3);
  } finally {
    await dc.stop();
  }
  console.log('ok pauseStopsARunawayGuest');
}

// loop.clif: %spin(n), the sum of 0..n-1; line 6 is the loop body (v2 = i, v3 = the sum so far).
async function conditionsInstructionsAndDisassembly() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'loop.clif');
    const init = await dc.initializeRequest();
    for (const c of ['supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints', 'supportsLogPoints',
      'supportsInstructionBreakpoints', 'supportsDisassembleRequest', 'supportsSteppingGranularity']) {
      assert.ok(init.body[c], c);
    }
    await dc.launchRequest({ program, invoke: 'spin(20)' });
    const bad = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 6, condition: 'v2 ==' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message, /column 6/);
    const bps = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 6, condition: 'v2 == 7 && v3 > 0' }] });
    assert.equal(bps.body.breakpoints[0].verified, true, JSON.stringify(bps.body));
    const stopped = dc.assertStoppedLocation('breakpoint', { path: program, line: 6 });
    await dc.configurationDoneRequest();
    await stopped;
    const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    const vars = (await dc.variablesRequest({ variablesReference: (await dc.scopesRequest({ frameId: frame.id })).body.scopes[0].variablesReference })).body.variables;
    const value = name => (vars.find(v => v.name === name) || {}).value;
    assert.equal(value('v2'), '7', 'the condition held at i = 7: ' + JSON.stringify(vars));
    assert.equal(value('v3'), '21', 'the sum of 0..6');
    // The disassembly from the stop: its first instruction is the stop's, with symbol and line.
    const dis = (await dc.send('disassemble', { memoryReference: frame.instructionPointerReference, instructionCount: 4, resolveSymbols: true })).body.instructions;
    assert.equal(dis.length, 4);
    assert.equal(dis[0].address, frame.instructionPointerReference);
    assert.match(dis[0].symbol, /^%spin\+0x/);
    assert.equal(dis[0].line, 6);
    assert.ok(dis[0].instruction && dis[0].instruction !== '??', JSON.stringify(dis[0]));
    const before = (await dc.send('disassemble', { memoryReference: frame.instructionPointerReference, instructionOffset: -100000, instructionCount: 2 })).body.instructions;
    assert.equal(before[0].presentationHint, 'invalid', 'padding before the first instruction');
    // An instruction breakpoint on the next instruction; then one instruction step.
    const ib = await dc.send('setInstructionBreakpoints', { breakpoints: [{ instructionReference: dis[1].address }] });
    assert.equal(ib.body.breakpoints[0].verified, true, JSON.stringify(ib.body));
    const inside = await dc.send('setInstructionBreakpoints', { breakpoints: [{ instructionReference: dis[0].address, offset: 1 }] });
    if (dis[1].address !== '0x' + (parseInt(dis[0].address, 16) + 1).toString(16)) {
      assert.equal(inside.body.breakpoints[0].verified, false, 'the middle of an instruction');
      assert.match(inside.body.breakpoints[0].message, /not the start of an instruction/);
    }
    await dc.send('setInstructionBreakpoints', { breakpoints: [{ instructionReference: dis[1].address }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped').then(e => assert.equal(e.body.reason, 'instruction breakpoint'))]);
    let top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.equal(top.instructionPointerReference, dis[1].address);
    await Promise.all([dc.nextRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped').then(e => assert.equal(e.body.reason, 'step'))]);
    top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    if (!/^(j|call|ret)/.test(dis[1].instruction)) assert.equal(top.instructionPointerReference, dis[2].address, 'one instruction on');
    await dc.send('setInstructionBreakpoints', { breakpoints: [] });
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const out = dc.assertOutput('stdout', '190\n');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await out;
    assert.equal((await exited).body.exitCode, 0);
  } finally {
    await dc.stop();
  }
  console.log('ok conditionsInstructionsAndDisassembly');
}

// thirds.clif: %thirds(n) counts the i < n with i % 3 == 0; line 9 runs that often (v3 the count so far).
async function aLogpointSendsOneOutputPerRun() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'thirds.clif');
    await dc.initializeRequest();
    await dc.launchRequest({ program, invoke: 'thirds(30)' });
    const lp = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 9, logMessage: 'n={v3 + 1} at i={v2}' }] });
    assert.equal(lp.body.breakpoints[0].verified, true);
    const logged = [];
    dc.on('output', e => { if (e.body.category === 'console' && e.body.output.startsWith('n=')) logged.push(e.body.output); });
    dc.on('stopped', e => { throw new Error('a logpoint never stops: ' + JSON.stringify(e.body)); });
    const out = dc.assertOutput('stdout', '10\n');
    const exited = dc.waitForEvent('exited');
    await dc.configurationDoneRequest();
    await out;
    assert.equal((await exited).body.exitCode, 0);
    const want = [];
    for (let k = 0; k < 10; k++) want.push('n=' + (k + 1) + ' at i=' + 3 * k + '\n');
    assert.deepEqual(logged, want);
  } finally {
    await dc.stop();
  }
  console.log('ok aLogpointSendsOneOutputPerRun');
}

async function aTimeoutEndsARunawayButAStopDoesNotSpendIt() {
  let dc = client();
  await dc.start();
  try {
    await dc.initializeRequest();
    const bad = await dc.launchRequest({ program: path.join(dir, 'runaway.clif'), invoke: 'spin(0)', timeout: -5 }).then(() => null, e => e.message);
    assert.match(bad || '', /timeout/);
  } finally {
    await dc.stop();
  }
  dc = client();
  await dc.start();
  try {
    await dc.initializeRequest();
    await dc.launchRequest({ program: path.join(dir, 'runaway.clif'), invoke: 'spin(0)', timeout: 300 });
    const exited = dc.waitForEvent('exited');
    const trap = dc.assertOutput('stderr', 'trap: interrupt');
    await dc.configurationDoneRequest();
    await trap;
    assert.equal((await exited).body.exitCode, 3);
  } finally {
    await dc.stop();
  }
  dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'calls.clif');
    await dc.hitBreakpoint({ program, invoke: 'main(5)', timeout: 300 }, { path: program, line: 10 });
    await new Promise(r => setTimeout(r, 1000));
    const out = dc.assertOutput('stdout', '48\n');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await out;
    assert.equal((await exited).body.exitCode, 0, 'a second stopped did not spend the 300 ms');
  } finally {
    await dc.stop();
  }
  console.log('ok aTimeoutEndsARunawayButAStopDoesNotSpendIt');
}

// DAP: "the debug adapter first sends the response and then a stopped event". Forty
// instruction steps, each listening for its stop before sending, record which came first;
// an adapter that lets the resumed guest report its stop while the step's response is still
// being written fails this (ours did, at the first step, before DapResponseOrder).
async function everyStepsResponseComesBeforeItsStop() {
  const dc = client();
  await dc.start();
  try {
    const program = path.join(dir, 'loop.clif');
    await dc.initializeRequest();
    await dc.launchRequest({ program, invoke: 'spin(20)' });
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 6 }] });
    const first = dc.assertStoppedLocation('breakpoint', { path: program, line: 6 });
    await dc.configurationDoneRequest();
    await first;
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    for (let i = 0; i < 40; i++) {
      const order = [];
      const stopped = dc.waitForEvent('stopped').then(e => { order.push('stopped'); return e; });
      await dc.nextRequest({ threadId: 1, granularity: 'instruction' }).then(() => order.push('response'));
      assert.equal((await stopped).body.reason, 'step');
      assert.deepEqual(order, ['response', 'stopped'], 'step ' + i + ': the response before the stop it causes');
    }
    const order = [];
    const exited = dc.waitForEvent('exited').then(e => { order.push('exited'); return e; });
    await dc.continueRequest({ threadId: 1 }).then(() => order.push('response'));
    assert.equal((await exited).body.exitCode, 0);
    assert.deepEqual(order, ['response', 'exited'], 'continue: the response before the exit it causes');
  } finally {
    await dc.stop();
  }
  console.log('ok everyStepsResponseComesBeforeItsStop');
}

(async () => {
  try {
    await runsToTheEnd();
    if (port === undefined) {
      await aBadProgramFailsTheLaunch();
      await terminateStopsARunawayGuest();
      await debugsAProgram();
      await pauseStopsARunawayGuest();
      await conditionsInstructionsAndDisassembly();
      await aLogpointSendsOneOutputPerRun();
      await aTimeoutEndsARunawayButAStopDoesNotSpendIt();
      await everyStepsResponseComesBeforeItsStop();
    }
  } catch (e) {
    console.log('FAILED: ' + (e && e.stack || e));
    process.exit(1);
  }
  process.exit(0);
})();
