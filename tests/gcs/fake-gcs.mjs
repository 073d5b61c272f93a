#!/usr/bin/env node
// The project's Google Cloud Storage fake: the JSON API, uploads, the
// OAuth token and metadata-server routes, fault injection and a request
// log, on 127.0.0.1. Node 20, built-in modules only. See README.md.
//
//   node fake-gcs.mjs [--port N] [--bucket NAME]... [--auth none|bearer]
//        [--service-account KEY.json]... [--token-lifetime SECONDS]
//        [--rewrite-bytes-per-call N] [--dir PARENT] [--project ID]
//        [--metadata-email EMAIL] [--no-stdin-watch]
//
// Prints `listening 127.0.0.1:PORT` as its first line once it accepts
// connections. Objects go to a fresh directory under PARENT (default: the
// system's temporary directory), removed on exit. It exits when its stdin
// reaches end of file (unless --no-stdin-watch), or on SIGTERM, SIGINT or
// SIGHUP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServiceAccount } from './fake/auth.mjs';
import { startFake } from './fake/server.mjs';

function usage(msg) {
  process.stderr.write(`fake-gcs: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    port: 0, buckets: [], auth: 'none', accountFiles: [], tokenLifetime: 3600,
    rewriteBytesPerCall: 8 * 1024 * 1024, parent: tmpdir(), projectId: 'fake-project',
    projectNumber: '123456789012', metadataEmail: null, watchStdin: true,
  };
  const int = (v, name) => {
    if (!/^\d+$/.test(v ?? '')) usage(`'${name}' takes a whole number, not '${v}'`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`'${a}' needs a value`));
    switch (a) {
      case '--port': o.port = int(value(), a); break;
      case '--bucket': o.buckets.push(value()); break;
      case '--auth':
        o.auth = value();
        if (!['none', 'bearer'].includes(o.auth)) usage("'--auth' is 'none' or 'bearer'");
        break;
      case '--service-account': o.accountFiles.push(value()); break;
      case '--token-lifetime': o.tokenLifetime = int(value(), a); break;
      case '--rewrite-bytes-per-call': o.rewriteBytesPerCall = int(value(), a) || 1; break;
      case '--dir': o.parent = value(); break;
      case '--project': o.projectId = value(); break;
      case '--metadata-email': o.metadataEmail = value(); break;
      case '--no-stdin-watch': o.watchStdin = false; break;
      default: usage(`unknown option '${a}'`);
    }
  }
  o.metadataEmail ??= `fake-gce@${o.projectId}.iam.gserviceaccount.com`;
  return o;
}

const opts = parseArgs(process.argv.slice(2));
let accounts;
try {
  accounts = opts.accountFiles.map(loadServiceAccount);
} catch (e) {
  usage(`cannot load a service account: ${e.message}`);
}
const dataDir = mkdtempSync(join(opts.parent, 'fake-gcs-'));
const removeData = () => rmSync(dataDir, { recursive: true, force: true });
process.on('exit', removeData);

let fake;
try {
  fake = await startFake({ ...opts, accounts, dataDir });
} catch (e) {
  process.stderr.write(`fake-gcs: cannot start on 127.0.0.1:${opts.port}: ${e.message}\n`);
  process.exit(1);
}
process.stdout.write(`listening ${fake.address}\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  fake.server.close();
  fake.server.closeAllConnections();
  process.exit(0); // the 'exit' handler removes the data directory
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
if (opts.watchStdin) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
