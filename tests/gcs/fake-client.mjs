// Starts tests/gcs/fake-gcs.mjs for a test and talks to its admin API.
// Used by sdk.test.mjs; C tests start the fake the same way (a pipe on
// stdin, the first stdout line gives the port).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const FAKE = fileURLToPath(new URL('./fake-gcs.mjs', import.meta.url));

// `nodeArgs` go to node itself (e.g. --expose-gc, for /_fake/stats).
export async function startFake(args = [], nodeArgs = []) {
  const proc = spawn(process.execPath, [...nodeArgs, FAKE, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const [first] = await Promise.race([
    once(lines, 'line'),
    once(proc, 'exit').then(([code]) => { throw new Error(`fake-gcs exited with ${code}`); }),
  ]);
  const m = /^listening (127\.0\.0\.1:\d+)$/.exec(first);
  if (!m) throw new Error(`fake-gcs said '${first}'`);
  const address = m[1];
  const base = `http://${address}`;

  async function admin(method, path, body) {
    const res = await fetch(`${base}/_fake/${path}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  }

  return {
    proc,
    address,
    base,
    admin,
    faults: (list) => admin('POST', 'faults', list),
    // Requests logged after `seq` (0: all).
    requests: async (seq = 0) => (await admin('GET', `requests?since=${seq}`)).requests,
    // The sequence number of the last logged request, to look after it.
    mark: async () => (await admin('GET', `requests?since=${2 ** 52}`)).last,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.stdin.end();
      await exited;
    },
  };
}
