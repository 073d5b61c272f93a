// bench/remote_sandbox/e2b.mjs SANDBOX_ID WORKLOAD - the workloads of
// bench_remote.c through the official e2b SDK (tests/e2b's pinned copy),
// as Mastra's @mastra/e2b drives it: commands.run for foreground commands
// (with an explicit timeout: the SDK's default 60 s would end a long one),
// commands.run({background:true}) and wait() per background process.
// E2B_API_URL / E2B_SANDBOX_URL / E2B_API_KEY point it at the fake (run.sh
// sets them). Exits 1 with a line on stderr on a wrong result.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/e2b/package.json'));
const { Sandbox } = require('e2b');

const [id, workload] = process.argv.slice(2);
const fail = (what) => { console.error(`e2b.mjs: ${what}`); process.exit(1); };
const sb = await Sandbox.connect(id);

if (workload === 'exec100') {
  for (let i = 0; i < 100; i++) {
    const r = await sb.commands.run('true', { timeoutMs: 30000 });
    if (r.exitCode !== 0) fail('exec true: exit code');
  }
} else if (workload === 'stdout10m') {
  const r = await sb.commands.run('yes 0123456789abcde | head -c 10485760', { timeoutMs: 300000 });
  if (r.exitCode !== 0 || r.stdout.length !== 10485760) fail(`10 MiB of stdout: ${r.stdout.length}`);
} else if (workload === 'procs50') {
  const handles = [];
  for (let i = 0; i < 50; i++) {
    handles.push(await sb.commands.run('seq 1 1000', { background: true, timeoutMs: 0 }));
  }
  for (const h of handles) {
    const r = await h.wait();
    if (r.exitCode !== 0 || r.stdout.length !== 3893) fail(`a process's output: ${r.stdout.length}`);
  }
} else {
  fail(`unknown workload '${workload}'`);
}
