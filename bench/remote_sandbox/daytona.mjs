// bench/remote_sandbox/daytona.mjs SANDBOX_ID WORKLOAD - the workloads of
// bench_remote.c through the official @daytonaio/sdk (tests/daytona's
// pinned copy), as Mastra's @mastra/daytona drives it: executeCommand for
// foreground commands, a session and an async session command per
// background process. DAYTONA_API_URL / DAYTONA_API_KEY point it at the
// fake (run.sh sets them). Exits 1 with a line on stderr on a wrong result.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/daytona/package.json'));
const { Daytona } = require('@daytonaio/sdk');

const [id, workload] = process.argv.slice(2);
const fail = (what) => { console.error(`daytona.mjs: ${what}`); process.exit(1); };
const sb = await new Daytona().get(id);

if (workload === 'exec100') {
  for (let i = 0; i < 100; i++) {
    const r = await sb.process.executeCommand('true');
    if (r.exitCode !== 0) fail('exec true: exit code');
  }
} else if (workload === 'stdout10m') {
  const r = await sb.process.executeCommand("yes 0123456789abcde | head -c 10485760", undefined, undefined, 300);
  if (r.exitCode !== 0 || r.result.length !== 10485760) fail(`10 MiB of stdout: ${r.result.length}`);
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
