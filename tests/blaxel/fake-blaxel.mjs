#!/usr/bin/env node
// tests/blaxel/fake-blaxel.mjs - a local fake of Blaxel's control plane
// and of the sandbox-api inside each sandbox, for tests: real commands
// under bubblewrap, Blaxel's wire format, an admin API for faults and the
// request log. See README.md beside this file.
//
//   node fake-blaxel.mjs [--port N] [--deploy-ms MS] [--archive-ms MS]
//                        [--standby-ms MS] [--exec-keepalive-ms MS]
//                        [--log-keepalive-ms MS] [--no-stdin-watch]
//                        [--mount-ns] [--hide PROGRAM]...
//
// Listens on 127.0.0.1 (port 0 = any free port) and prints
// `listening 127.0.0.1:PORT` as its first line once it accepts
// connections. It exits, killing every command and removing its temporary
// directory, on SIGTERM, SIGINT or SIGHUP and when its standard input
// reaches end of file (so it never outlives the test that started it with
// a pipe; --no-stdin-watch turns that off for interactive use).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeServer } from './fake/server.mjs';
import { serveUntilStopped } from '../common/fake/serve.mjs';
import { findBwrap } from '../common/fake/bwrap.mjs';
import { spawnerBinary } from '../common/fake/spawner.mjs';
import { hiddenPaths, mountNsUsable } from '../e2b/fake/mountns.mjs';

const USAGE = 'usage: node fake-blaxel.mjs [--port N] [--deploy-ms MS] [--archive-ms MS] [--standby-ms MS] [--exec-keepalive-ms MS] [--log-keepalive-ms MS] [--no-stdin-watch] [--mount-ns] [--hide PROGRAM]...';
function usage(msg) {
  process.stderr.write(`fake-blaxel: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// Blaxel's own timings, except deploy and archive, which are quick here.
const opts = {
  deployMs: 200, archiveMs: 500, standbyMs: 15000, execKeepaliveMs: 5000, logKeepaliveMs: 30000, downloadRanges: 1,
  mountNs: false, hide: [],
};
const hide = [];
const MS_OPTIONS = {
  '--deploy-ms': 'deployMs', '--archive-ms': 'archiveMs', '--standby-ms': 'standbyMs',
  '--exec-keepalive-ms': 'execKeepaliveMs', '--log-keepalive-ms': 'logKeepaliveMs',
};
let port = 0;
let watchStdin = true;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--port') port = Number(argv[++i]);
  else if (a === '--no-stdin-watch') watchStdin = false;
  // as the E2B fake's (tests/e2b/README.md): one mount namespace per
  // sandbox (root), and programs the image seems to lack
  else if (a === '--mount-ns') opts.mountNs = true;
  else if (a === '--hide' && /^[A-Za-z0-9._+-]+$/.test(argv[i + 1] ?? '')) hide.push(argv[++i]);
  else if (MS_OPTIONS[a]) {
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 0) usage(`'${a}' takes a whole number of milliseconds`);
    if (a.endsWith('keepalive-ms') && v === 0) usage(`'${a}' must be above 0`);
    opts[MS_OPTIONS[a]] = v;
  } else usage(`unknown option '${a}'`);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) usage("'--port' takes 0..65535");
opts.hide = hiddenPaths(hide);
const nsWhy = opts.mountNs ? mountNsUsable() : null;
if (nsWhy) {
  process.stderr.write(`fake-blaxel: --mount-ns ${nsWhy}\n`);
  process.exit(1);
}
if (!opts.mountNs && !findBwrap()) {
  process.stderr.write("fake-blaxel: 'bwrap' not found on PATH; install bubblewrap\n");
  process.exit(1);
}
// the program that forks commands inside a sandbox's bubblewrap
if (!opts.mountNs && !spawnerBinary()) {
  process.stderr.write('fake-blaxel: no spawner: WSP_FAKE_SPAWNER names no file, or it is unset and cc could not build tests/common/fake/spawner.c\n');
  process.exit(1);
}

const baseDir = mkdtempSync(join(tmpdir(), 'wsp-blaxel-fake-'));
const { server, registry } = createFakeServer({ baseDir, opts });

serveUntilStopped({
  name: 'fake-blaxel', server, registry, baseDir, port, watchStdin,
  // sandbox and preview URLs name the fake's own address
  onListening: (p) => { registry.baseUrl = `http://127.0.0.1:${p}`; },
});
