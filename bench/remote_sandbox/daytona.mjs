// bench/remote_sandbox/daytona.mjs SANDBOX_ID WORKLOAD - the workloads of
// bench_remote.c through the official @daytonaio/sdk (tests/daytona's
// pinned copy), as Mastra's @mastra/daytona drives it: a foreground
// command is its executeCommand, which is spawn + wait (a session, an
// async session command, the WebSocket log follow to callbacks that keep
// stdout and stderr apart, the command's exit code); a background process
// is a session and an async session command. DAYTONA_API_URL /
// DAYTONA_API_KEY point it at the fake (run.sh sets them). Exits 1 with a
// line on stderr on a wrong result.
//
// SDK_EXEC=execute runs the foreground workloads through the SDK's own
// process.executeCommand instead: one `process/execute` request whose
// answer merges stderr into stdout, which neither Mastra nor wsp can use
// for a command whose streams must stay apart (for comparison only).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/daytona/package.json'));
const { Daytona } = require('@daytonaio/sdk');

const [id, workload] = process.argv.slice(2);
const fail = (what) => { console.error(`daytona.mjs: ${what}`); process.exit(1); };
const sb = await new Daytona().get(id);

let spawned = 0;
// Mastra's spawn + wait: its session ids, its `(cmd)` wrapping, its live
// follow; the result as its executeCommand returns it.
async function mastraExec(command, onStdout) {
  const session = `mastra-proc-${Date.now().toString(36)}-${spawned++}`;
  await sb.process.createSession(session);
  const c = await sb.process.executeSessionCommand(session, { command: `(${command})`, runAsync: true });
  let stderr = '';
  await sb.process.getSessionCommandLogs(session, c.cmdId, onStdout, (t) => { stderr += t; });
  const cmd = await sb.process.getSessionCommand(session, c.cmdId);
  return { exitCode: cmd.exitCode, stderr };
}

const BIG = 'yes 0123456789abcde | head -c 10485760';
const direct = process.env.SDK_EXEC === 'execute';
if (workload === 'exec100') {
  for (let i = 0; i < 100; i++) {
    const r = direct ? await sb.process.executeCommand('true') : await mastraExec('true', () => {});
    if (r.exitCode !== 0) fail('exec true: exit code');
  }
} else if (workload === 'stdout10m' && direct) {
  const r = await sb.process.executeCommand(BIG, undefined, undefined, 300);
  if (r.exitCode !== 0 || r.result.length !== 10485760) fail(`10 MiB of stdout: ${r.result.length}`);
} else if (workload === 'stdout10m') {
  // The SDK's demultiplexer lets a stream marker through as output when a
  // WebSocket message ends right after one (stdDemuxStream keeps two bytes
  // back, so the marker's first byte goes out alone). The output has no
  // 0x01 of its own: those bytes are counted apart and reported.
  let n = 0;
  let leaked = 0;
  const r = await mastraExec(BIG, (t) => {
    const marks = t.split('\x01').length - 1;
    leaked += marks;
    n += Buffer.byteLength(t) - marks;
  });
  if (r.exitCode !== 0 || n !== 10485760) fail(`10 MiB of stdout: ${n}`);
  if (leaked) console.error(`daytona.mjs: the SDK passed ${leaked} marker bytes (${leaked / 3} markers) to onStdout as output`);
} else if (workload === 'procs50') {
  const runs = [];
  for (let i = 0; i < 50; i++) {
    const session = `bench-${process.pid}-${i}`;
    await sb.process.createSession(session);
    const c = await sb.process.executeSessionCommand(session, { command: 'seq 1 1000', runAsync: true });
    runs.push({ session, cmdId: c.cmdId });
  }
  for (const { session, cmdId } of runs) {
    let cmd;
    for (;;) {
      cmd = await sb.process.getSessionCommand(session, cmdId);
      if (cmd.exitCode !== undefined && cmd.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const logs = await sb.process.getSessionCommandLogs(session, cmdId);
    const out = typeof logs === 'string' ? logs : logs.stdout ?? logs.output;
    if (cmd.exitCode !== 0 || out.length !== 3893) fail(`a process's output: ${out.length}`);
    await sb.process.deleteSession(session);
  }
} else {
  fail(`unknown workload '${workload}'`);
}
