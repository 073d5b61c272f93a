// fake/layout.mjs - what a fake Blaxel sandbox's filesystem is made of:
// E2B's fake layout (tests/e2b/fake/layout.mjs: the host's system
// directories and a few /etc entries read-only; /home, /root and /tmp the
// sandbox's own) plus /blaxel, the working directory and HOME of Blaxel's
// base image, where the sandbox-api and every command start.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLayout } from '../../e2b/fake/layout.mjs';

export const WORKDIR = '/blaxel';
export const HOME = '/blaxel';
// Commands run as root inside their user namespace, as the sandbox-api of
// Blaxel's base image runs them.
export const ROOT = { name: 'root', uid: 0, gid: 0, home: HOME };
export const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Creates the sandbox's own directories under `dir`; returns the mount table. */
export function createSandboxLayout(dir, hostname) {
  const mounts = createLayout(dir, hostname);
  const host = join(dir, 'fs', WORKDIR.slice(1));
  mkdirSync(host, { recursive: true, mode: 0o755 });
  mounts.push({ at: WORKDIR, host, rw: true });
  return mounts;
}
