// fake/sandboxes.mjs - the sandboxes the control plane knows: their
// records (as the API answers them), their status over time, standby, and
// their directory and processes on this host.
//
// Status: a create answers DEPLOYING and turns DEPLOYED after `deployMs`;
// archive answers ARCHIVING (every process killed, files kept) and turns
// ARCHIVED after `archiveMs`; unarchive answers UNARCHIVING and turns
// DEPLOYED after `archiveMs` (files as they were, no process); delete
// answers DELETING and the sandbox is gone at once. A `ttl` or `expires`
// deletes it when it passes.
//
// State (standby, Blaxel's scale to zero): RUNNING while a data-plane
// request or stream is open; `standbyMs` after the last one ended (15 s on
// Blaxel) the sandbox goes STANDBY: its processes are stopped where they
// are (SIGSTOP) with their memory, and its open streams, if a fault or the
// admin API forced the standby, are cut. A process started with keepAlive
// keeps it RUNNING. The next data-plane request resumes it (SIGCONT)
// before it is served, as Blaxel resumes a sandbox on its next request.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxFs } from '../../e2b/fake/vfs.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { randomId } from '../../common/fake/random-id.mjs';
import { createSandboxLayout } from './layout.mjs';
import { ProcessTable } from './processes.mjs';
import { startHolder } from '../../e2b/fake/mountns.mjs';

const UNITS = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000 };

/** A Blaxel duration ("30s", "5m", "1h30m", "24h", "7d") in ms, or null. */
export function parseDuration(text) {
  if (typeof text !== 'string' || !/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return null;
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(n) * UNITS[u];
  return ms;
}

export class Sandbox {
  constructor(registry, { name, labels, externalId, displayName, spec, workspace }) {
    this.registry = registry;
    this.name = name;
    this.labels = labels;
    this.externalId = externalId;
    this.displayName = displayName;
    this.spec = spec;
    this.workspace = workspace;
    this.createdAt = Date.now();
    this.updatedAt = this.createdAt;
    this.lastUsedAt = this.createdAt;
    this.status = 'DEPLOYING';
    this.state = 'RUNNING';
    this.events = [];
    this.hostname = 'sbx-' + name.slice(0, 40);
    this.envs = Object.fromEntries((spec.runtime?.envs ?? []).map((e) => [e.name, String(e.value ?? '')]));
    this.network = (spec.runtime?.ports ?? []).length ? 'host' : 'none';
    this.dir = join(registry.baseDir, 'sbx-' + randomId(12));
    mkdirSync(this.dir, { mode: 0o700 });
    this.mounts = createSandboxLayout(this.dir, this.hostname);
    this.fs = new SandboxFs(this.mounts, this.createdAt);
    // --mount-ns: one mount and PID namespace for all its commands
    this.holder = registry.opts.mountNs ? startHolder(this.dir, this.mounts, registry.opts.hide) : null;
    this.procs = new ProcessTable(this);
    this.uploads = new Map();
    this.previews = new Map();
    this.streams = new Set();
    this.active = 0;
    this.waiters = [];
    this.event('DEPLOYING', 'Sandbox is deploying');
    this.after(registry.opts.deployMs, () => this.settle('DEPLOYED', 'Sandbox is deployed'));
    this.armExpiry();
  }

  get url() {
    return `${this.registry.baseUrl}/sbx/${this.name}`;
  }

  event(status, message) {
    this.events.push({ type: 'status', status, message, time: new Date().toISOString() });
  }

  /** Runs `f` after `ms` (at once for 0), unless the status changed meanwhile. */
  after(ms, f) {
    clearTimeout(this.statusTimer);
    const status = this.status;
    const run = () => { if (this.status === status) f(); };
    if (ms > 0) this.statusTimer = setTimeout(run, ms);
    else run();
  }

  settle(status, message) {
    this.status = status;
    this.updatedAt = Date.now();
    this.event(status, message);
    if (status === 'DEPLOYED') this.armStandby();
    for (const w of this.waiters.splice(0)) w();
  }

  armExpiry() {
    clearTimeout(this.expiryTimer);
    const rt = this.spec.runtime ?? {};
    const ttl = parseDuration(rt.ttl);
    const ends = [ttl !== null ? this.createdAt + ttl : null, rt.expires ? Date.parse(rt.expires) : null].filter((x) => Number.isFinite(x));
    this.endsAt = ends.length ? Math.min(...ends) : null;
    if (this.endsAt === null) return;
    const wait = Math.min(Math.max(0, this.endsAt - Date.now()), 0x7fffffff);
    this.expiryTimer = setTimeout(() => (Date.now() >= this.endsAt ? this.remove() : this.armExpiry()), wait);
  }

  /** Resolves once the sandbox serves requests: DEPLOYED, or true when it cannot. */
  ready(ms) {
    if (this.status === 'DEPLOYED') return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(true), ms);
      this.waiters.push(() => { clearTimeout(t); resolve(this.status !== 'DEPLOYED'); });
    });
  }

  /** A data-plane request begins: resume from standby, hold standby off. */
  enter() {
    this.active++;
    this.lastUsedAt = Date.now();
    clearTimeout(this.standbyTimer);
    this.wake();
  }

  leave() {
    this.active--;
    this.lastUsedAt = Date.now();
    this.armStandby();
  }

  armStandby() {
    clearTimeout(this.standbyTimer);
    const ms = this.registry.opts.standbyMs;
    if (this.active > 0 || this.status !== 'DEPLOYED' || this.state !== 'RUNNING' || ms <= 0) return;
    this.standbyTimer = setTimeout(() => {
      if (this.active > 0 || this.procs.running().some((p) => p.keepAlive)) return this.armStandby();
      this.standby();
    }, ms);
  }

  /** Scale to zero now: streams cut, processes stopped with their memory. */
  standby() {
    if (this.status !== 'DEPLOYED' || this.state === 'STANDBY') return;
    clearTimeout(this.standbyTimer);
    this.state = 'STANDBY';
    this.cutStreams();
    this.procs.freeze();
  }

  wake() {
    if (this.state !== 'STANDBY') return;
    this.state = 'RUNNING';
    this.procs.thaw();
  }

  cutStreams() {
    for (const s of [...this.streams]) s.cut();
    this.streams.clear();
  }

  async archive() {
    this.status = 'ARCHIVING';
    this.event('ARCHIVING', 'Sandbox is archiving');
    clearTimeout(this.standbyTimer);
    this.cutStreams();
    this.wake();
    await this.procs.killAll();
    this.state = 'RUNNING';
    this.after(this.registry.opts.archiveMs, () => this.settle('ARCHIVED', 'Sandbox is archived'));
  }

  unarchive() {
    this.status = 'UNARCHIVING';
    this.event('UNARCHIVING', 'Sandbox is unarchiving');
    this.after(this.registry.opts.archiveMs, () => this.settle('DEPLOYED', 'Sandbox is deployed'));
  }

  /** Gone for good: streams cut, processes killed, files removed. */
  async remove() {
    if (this.removed) return;
    this.removed = true;
    this.status = 'DELETING';
    for (const t of [this.statusTimer, this.standbyTimer, this.expiryTimer]) clearTimeout(t);
    this.registry.sandboxes.delete(this.name);
    for (const w of this.waiters.splice(0)) w();
    this.cutStreams();
    this.wake();
    await this.procs.killAll();
    if (this.holder) await this.holder.stop();
    removeTree(this.dir);
  }

  /** The Sandbox of the control plane. */
  toJSON() {
    const metadata = {
      name: this.name, workspace: this.workspace, url: this.url,
      createdAt: new Date(this.createdAt).toISOString(), updatedAt: new Date(this.updatedAt).toISOString(),
      createdBy: 'fake-user', updatedBy: 'fake-user', plan: 'fake',
    };
    if (this.displayName !== undefined) metadata.displayName = this.displayName;
    if (this.labels !== undefined) metadata.labels = this.labels;
    if (this.externalId !== undefined) metadata.externalId = this.externalId;
    const out = {
      metadata, spec: this.spec, status: this.status, state: this.state,
      lastUsedAt: new Date(this.lastUsedAt).toISOString(), events: this.events,
    };
    if (this.endsAt !== null) out.expiresIn = Math.max(0, Math.round((this.endsAt - Date.now()) / 1000));
    return out;
  }
}

export class Registry {
  /** `opts`: {deployMs, archiveMs, standbyMs}. */
  constructor({ baseDir, opts }) {
    this.baseDir = baseDir;
    this.opts = opts;
    this.baseUrl = null; // http://127.0.0.1:PORT, set once the server listens
    this.sandboxes = new Map();
  }

  create(fields) {
    const sb = new Sandbox(this, fields);
    this.sandboxes.set(sb.name, sb);
    return sb;
  }

  get(name) {
    return this.sandboxes.get(name);
  }

  async killAll() {
    await Promise.all([...this.sandboxes.values()].map((s) => s.remove()));
  }
}
