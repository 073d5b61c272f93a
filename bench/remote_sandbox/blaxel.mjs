// bench/remote_sandbox/blaxel.mjs SANDBOX_NAME WORKLOAD - the workloads of
// bench_remote.c through the official @blaxel/core (tests/blaxel's pinned
// copy), as Mastra's @mastra/blaxel drives it: process.exec waited for
// foreground commands, a named process not waited for per background one,
// its status polled and its logs read. run.sh points it at the fake (BL_*
// variables, an empty HOME). Exits 1 with a line on stderr on a wrong
// result.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/blaxel/package.json'));
const { SandboxInstance } = require('@blaxel/core');

const [name, workload] = process.argv.slice(2);
const fail = (what) => { console.error(`blaxel.mjs: ${what}`); process.exit(1); };
const sb = await SandboxInstance.get(name);

if (workload === 'exec100') {
  for (let i = 0; i < 100; i++) {
    const r = await sb.process.exec({ command: 'true', waitForCompletion: true });
    if (r.exitCode !== 0) fail('exec true: exit code');
  }
} else if (workload === 'stdout10m') {
  // Streamed to a callback, as wsp's side: the sandbox-api's result carries
  // only the last 64 KiB of a stream, so the SDK's result string alone
  // cannot hold 10 MiB; its log keepalive (a '[keepalive]' stdout event)
  // is not output.
  let n = 0;
  const onStdout = (d) => { if (d !== '[keepalive]\n') n += Buffer.byteLength(d); };
  const r = await sb.process.exec({ command: "yes 0123456789abcde | head -c 10485760", waitForCompletion: true, timeout: 300, onStdout });
  if (r.exitCode !== 0 || n !== 10485760) fail(`10 MiB of stdout: ${n}`);
} else if (workload === 'procs50') {
  const names = [];
  for (let i = 0; i < 50; i++) {
    const n = `bench-${process.pid}-${i}`;
    await sb.process.exec({ command: 'seq 1 1000', name: n, waitForCompletion: false });
    names.push(n);
  }
  for (const n of names) {
    let p;
    for (;;) {
      p = await sb.process.get(n);
      if (p.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const out = await sb.process.logs(n, 'stdout');
    if (p.exitCode !== 0 || out.length !== 3893) fail(`a process's output: ${out.length}`);
  }
} else {
  fail(`unknown workload '${workload}'`);
}
