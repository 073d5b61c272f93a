#!/usr/bin/env node
// tests/daytona/fake-daytona.mjs - a local fake of Daytona's API and of the
// toolbox in each sandbox, for tests: real commands under bubblewrap,
// Daytona's wire format (WebSocket log follows included), an admin API for
// faults and the request log. See README.md beside this file.
//
//   node fake-daytona.mjs [--port N] [--start-ms N] [--stop-ms N] [--minute-ms N] [--no-stdin-watch]
//                         [--mount-ns] [--hide PROGRAM]...
//
// Listens on 127.0.0.1 (port 0 = any free port) and prints
// `listening 127.0.0.1:PORT` as its first line once it accepts
// connections. It exits, killing every process and removing its temporary
// directory, on SIGTERM, SIGINT or SIGHUP and when its standard input
// reaches end of file (so it never outlives the test that started it with
// a pipe; --no-stdin-watch turns that off for interactive use).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeServer } from './fake/server.mjs';
import { serveUntilStopped } from '../common/fake/serve.mjs';
import { findBwrap } from '../common/fake/bwrap.mjs';
import { hiddenPaths, mountNsUsable } from '../e2b/fake/mountns.mjs';

const USAGE = 'usage: node fake-daytona.mjs [--port N] [--start-ms N] [--stop-ms N] [--minute-ms N] [--no-stdin-watch] [--mount-ns] [--hide PROGRAM]...';
function usage(msg) {
  process.stderr.write(`fake-daytona: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// start-ms: creating/starting → started; stop-ms: stopping/archiving/destroying → done;
// minute-ms: how long one minute of autoStopInterval (and the other intervals) lasts.
const opts = { port: 0, startMs: 100, stopMs: 50, minuteMs: 60000, watchStdin: true, mountNs: false };
const hide = [];
const numeric = { '--port': 'port', '--start-ms': 'startMs', '--stop-ms': 'stopMs', '--minute-ms': 'minuteMs' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (numeric[a]) {
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 0) usage(`'${a}' takes a whole number`);
    opts[numeric[a]] = v;
  } else if (a === '--no-stdin-watch') opts.watchStdin = false;
  else if (a === '--mount-ns') opts.mountNs = true;
  else if (a === '--hide' && /^[A-Za-z0-9._+-]+$/.test(argv[i + 1] ?? '')) hide.push(argv[++i]);
  else usage(`unknown option '${a}'`);
}
if (opts.port > 65535) usage("'--port' takes 0..65535");
if (opts.minuteMs < 1) usage("'--minute-ms' must be at least 1");
const nsWhy = opts.mountNs ? mountNsUsable() : null;
if (nsWhy) {
  process.stderr.write(`fake-daytona: --mount-ns ${nsWhy}\n`);
  process.exit(1);
}
if (!opts.mountNs && !findBwrap()) {
  process.stderr.write("fake-daytona: 'bwrap' not found on PATH; install bubblewrap\n");
  process.exit(1);
}

// Files the toolbox creates get the modes a sandbox's daemon gives them.
process.umask(0o022);
const baseDir = mkdtempSync(join(tmpdir(), 'wsp-daytona-fake-'));
const { server, registry } = createFakeServer({
  baseDir, startMs: opts.startMs, stopMs: opts.stopMs, minuteMs: opts.minuteMs,
  mountNs: opts.mountNs, hide: hiddenPaths(hide),
});

serveUntilStopped({
  name: 'fake-daytona', server, registry, baseDir, port: opts.port, watchStdin: opts.watchStdin,
});
