// tests/gcs-emu/gcs-emu.mjs - firebase-tools' Cloud Storage emulator as a
// plain GCS JSON API server, for checking wsp-fs-gcs against a second
// implementation besides the project's own fake (tests/gcs).
//
// The official start (`firebase emulators:start --only storage`) cannot run
// here: it wants Java >= 21 (Debian 12 has 17) and downloads the security
// rules runtime from Google. The JSON API routes never evaluate rules (they
// use the emulator's admin layer), so this starts the emulator's own server
// code with the rules runtime replaced by no-ops. It reaches into the
// package's internal modules: package.json pins the exact version.
//
// Three of the emulator's routes exist only without the "/storage/v1"
// prefix the official clients send (rewriteTo/copyTo, PATCH of an object,
// the bucket list); such requests are re-addressed before they reach it.
//
//   node gcs-emu.mjs [--port N] [--project ID] [--no-stdin-watch]
// Listens on 127.0.0.1 only (port 0 = a free one) and prints
// "listening 127.0.0.1:PORT" once it accepts connections. Exits on
// SIGTERM/SIGINT/SIGHUP and, unless --no-stdin-watch (a shell script that
// kills it by pid), when its stdin reaches end of file, so a test that
// starts it with a pipe never leaves it behind. Objects live in memory
// and under $TMPDIR/firebase (give each run its own TMPDIR).
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';

const require = createRequire(import.meta.url);
const emulatorDir = path.join(
  path.dirname(require.resolve('firebase-tools/package.json')), 'lib', 'emulator');
const { StorageEmulator } = require(path.join(emulatorDir, 'storage'));
const { createApp } = require(path.join(emulatorDir, 'storage', 'server'));
const { EmulatorRegistry } = require(path.join(emulatorDir, 'registry'));

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '0'));
const projectId = option('--project', 'demo-project');
const host = '127.0.0.1';

// The routes the emulator mounts only below "/" (not "/storage/v1").
const UNPREFIXED = [
  (m, p) => /^\/storage\/v1\/b\/[^/]+\/o\/[^/]+\/(copyTo|rewriteTo)\/b\/[^/]+\/o\/[^/]+$/.test(p),
  (m, p) => m === 'PATCH' && /^\/storage\/v1\/b\/[^/]+\/o\/[^/]+$/.test(p),
  (m, p) => m === 'GET' && /^\/storage\/v1\/b\/?$/.test(p),
];

function readdress(req) {
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  if (UNPREFIXED.some((match) => match(req.method, p)))
    req.url = req.url.slice('/storage/v1'.length);
}

async function main() {
  const emu = new StorageEmulator({ projectId, host, port, rules: [], auto_download: false });
  emu._rulesRuntime.start = async () => {};
  emu._rulesRuntime.stop = async () => {};
  let server;
  emu.start = async function start() {
    await this._rulesManager.start();
    const app = await createApp(projectId, this);
    server = http.createServer((req, res) => { readdress(req); app(req, res); });
    await new Promise((resolve, reject) =>
      server.once('error', reject).listen(port, host, resolve));
  };
  emu.stop = async function stop() {
    if (server) await new Promise((resolve) => server.close(() => resolve()));
  };
  // Registered so the emulator's own modules find it (they look it up).
  emu.getInfo = () => ({ name: emu.getName(), host, port: server.address().port });
  await EmulatorRegistry.start(emu);
  console.log(`listening ${host}:${server.address().port}`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections?.();
    EmulatorRegistry.stopAll().catch(() => {}).finally(() => process.exit(0));
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, stop);
  if (!process.argv.includes('--no-stdin-watch')) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((e) => {
  console.error(`gcs-emu: ${e.stack || e}`);
  process.exit(1);
});
