// tests/common/fake/remove-tree.mjs - removes a sandbox's directory even
// when a command took the permissions away from part of it (chmod 000 of a
// directory stops an unprivileged owner's recursive delete): directories
// are made accessible again, without following links, and the delete
// retried. Shared by the E2B, Daytona and Blaxel fakes.
import { rmSync, lstatSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function unlock(dir) {
  try { chmodSync(dir, 0o700); } catch { return; }
  let names;
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isDirectory()) unlock(p);
  }
}

export function removeTree(dir) {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    unlock(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
