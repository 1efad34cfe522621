// Drives `patchbay dap` with the DAP client VS Code's adapter authors test with
// (@vscode/debugadapter-testsupport). Usage: node session.js ADAPTER_SCRIPT DIR
// DIR holds fib.clif, bad.clif and runaway.clif. Prints "ok NAME" per scenario; exits 1
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
    const bps = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 8 }] });
    assert.equal(bps.body.breakpoints.length, 1);
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

(async () => {
  try {
    await runsToTheEnd();
    if (port === undefined) {
      await aBadProgramFailsTheLaunch();
      await terminateStopsARunawayGuest();
    }
  } catch (e) {
    console.log('FAILED: ' + (e && e.stack || e));
    process.exit(1);
  }
  process.exit(0);
})();
