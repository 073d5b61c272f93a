#!/usr/bin/env node
// tests/e2b/fake-e2b.mjs - a local fake of E2B's control plane and envd for
// tests: real commands under bubblewrap, E2B's wire format, an admin API
// for faults and the request log. See README.md beside this file.
//
//   node fake-e2b.mjs [--port N] [--envd-version V] [--no-stdin-watch]
//                     [--mount-ns] [--hide PROGRAM]...
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
import { findBwrap } from './fake/bwrap.mjs';
import { spawnerBinary } from '../common/fake/spawner.mjs';
import { hiddenPaths, mountNsUsable } from './fake/mountns.mjs';

function usage(msg) {
  process.stderr.write(`fake-e2b: ${msg}\nusage: node fake-e2b.mjs [--port N] [--envd-version V] [--no-stdin-watch] [--mount-ns] [--hide PROGRAM]...\n`);
  process.exit(2);
}

const opts = { port: 0, envdVersion: '0.6.4', watchStdin: true, mountNs: false, hide: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--port') opts.port = Number(argv[++i]);
  else if (a === '--envd-version') opts.envdVersion = argv[++i];
  else if (a === '--no-stdin-watch') opts.watchStdin = false;
  else if (a === '--mount-ns') opts.mountNs = true;
  else if (a === '--hide' && /^[A-Za-z0-9._+-]+$/.test(argv[i + 1] ?? '')) opts.hide.push(argv[++i]);
  else usage(`unknown option '${a}'`);
}
if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port takes 0..65535');
if (!/^\d+\.\d+\.\d+$/.test(opts.envdVersion ?? '')) usage('--envd-version takes MAJOR.MINOR.PATCH');
const nsWhy = opts.mountNs ? mountNsUsable() : null;
if (nsWhy) {
  process.stderr.write(`fake-e2b: --mount-ns ${nsWhy}\n`);
  process.exit(1);
}
if (!opts.mountNs && !findBwrap()) {
  process.stderr.write("fake-e2b: 'bwrap' not found on PATH; install bubblewrap\n");
  process.exit(1);
}
// the program that forks commands inside a sandbox's bubblewrap
if (!opts.mountNs && !spawnerBinary()) {
  process.stderr.write('fake-e2b: no spawner: WSP_FAKE_SPAWNER names no file, or it is unset and cc could not build tests/common/fake/spawner.c\n');
  process.exit(1);
}

const baseDir = mkdtempSync(join(tmpdir(), 'wsp-e2b-fake-'));
const { server, registry } = createFakeServer({
  baseDir, envdVersion: opts.envdVersion, mountNs: opts.mountNs, hide: hiddenPaths(opts.hide),
});

serveUntilStopped({
  name: 'fake-e2b', server, registry, baseDir, port: opts.port, watchStdin: opts.watchStdin,
});
