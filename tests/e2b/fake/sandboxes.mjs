// fake/sandboxes.mjs - the sandboxes the control plane knows: their
// records (as the API answers them), their state (running, paused, gone),
// their timeout, and their directory and processes on this host.
//
// Expiry as in E2B: when `endAt` passes a running sandbox is paused if it
// was created with autoPause, else killed. A paused sandbox does not
// expire. Pausing stops every process where it is (SIGSTOP) and drops open
// streams; connecting resumes them (SIGCONT). With memory:false (pause
// request or autoPauseMemory) processes do not survive, as after E2B's
// filesystem-only snapshot.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLayout } from './layout.mjs';
import { SandboxFs } from './vfs.mjs';
import { ProcessTable } from './processes.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { randomId } from '../../common/fake/random-id.mjs';
import { startHolder } from './mountns.mjs';

export const CLIENT_ID = '6532622b';

export class Sandbox {
  constructor(registry, opts) {
    this.registry = registry;
    this.id = 'i' + randomId(19);
    this.templateID = opts.templateID;
    this.metadata = opts.metadata ?? {};
    this.envVars = opts.envVars ?? {};
    this.autoPause = !!opts.autoPause;
    this.autoPauseMemory = opts.autoPauseMemory !== false;
    this.autoResume = !!opts.autoResume;
    this.allowInternetAccess = opts.allowInternetAccess;
    this.network = opts.network;
    this.envdAccessToken = opts.secure ? 'ea_' + randomBytes(24).toString('hex') : undefined;
    this.trafficAccessToken = opts.network?.allowPublicTraffic === false ? 'ta_' + randomBytes(24).toString('hex') : null;
    this.state = 'running';
    this.startedAt = Date.now();
    this.hostname = 'e2b-' + this.id.slice(0, 8);
    this.dir = join(registry.baseDir, this.id);
    mkdirSync(this.dir, { mode: 0o700 });
    this.mounts = createLayout(this.dir, this.hostname);
    this.fs = new SandboxFs(this.mounts, this.startedAt);
    this.hide = registry.hide;
    // --mount-ns: one mount and PID namespace for all its commands
    this.holder = registry.mountNs ? startHolder(this.dir, this.mounts, registry.hide) : null;
    this.procs = new ProcessTable(this);
    this.setTimeout(opts.timeout);
  }

  setTimeout(seconds) {
    this.endAt = Date.now() + seconds * 1000;
    this.armExpiry();
  }

  /** connect/refresh: the TTL is only ever extended. */
  extendTimeout(seconds) {
    const end = Date.now() + seconds * 1000;
    if (end > this.endAt) this.endAt = end;
    this.armExpiry();
  }

  armExpiry() {
    clearTimeout(this.expiryTimer);
    if (this.state !== 'running') return;
    // setTimeout takes at most 2^31-1 ms; re-armed when it fires early.
    const wait = Math.min(Math.max(0, this.endAt - Date.now()), 0x7fffffff);
    this.expiryTimer = setTimeout(() => {
      if (Date.now() < this.endAt) this.armExpiry();
      else this.expire();
    }, wait);
  }

  expire() {
    if (this.state !== 'running') return;
    if (this.autoPause) this.pause(this.autoPauseMemory);
    else this.kill();
  }

  pause(memory = true) {
    this.state = 'paused';
    clearTimeout(this.expiryTimer);
    if (memory) this.procs.freeze();
    else this.procs.killAll();
  }

  resume(seconds) {
    this.state = 'running';
    this.procs.thaw();
    this.setTimeout(seconds);
  }

  /** Gone for good: processes killed, streams dropped, files removed. */
  async kill() {
    if (this.state === 'gone') return;
    this.state = 'gone';
    clearTimeout(this.expiryTimer);
    this.registry.sandboxes.delete(this.id);
    await this.procs.killAll();
    if (this.holder) await this.holder.stop();
    removeTree(this.dir);
  }

  /** The `Sandbox` answer of create and connect. */
  toSandbox() {
    const out = {
      templateID: this.templateID, sandboxID: this.id, alias: this.templateID,
      clientID: CLIENT_ID, envdVersion: this.registry.envdVersion,
    };
    if (this.envdAccessToken) out.envdAccessToken = this.envdAccessToken;
    out.trafficAccessToken = this.trafficAccessToken;
    out.domain = null;
    return out;
  }

  /** ListedSandbox of GET /v2/sandboxes. */
  toListed() {
    return {
      templateID: this.templateID, alias: this.templateID, sandboxID: this.id, clientID: CLIENT_ID,
      startedAt: new Date(this.startedAt).toISOString(), endAt: new Date(this.endAt).toISOString(),
      cpuCount: 2, memoryMB: 512, diskSizeMB: 1024, metadata: this.metadata, state: this.state,
      envdVersion: this.registry.envdVersion, volumeMounts: [],
    };
  }

  /** SandboxDetail of GET /sandboxes/{id}. */
  toDetail() {
    const out = this.toListed();
    if (this.envdAccessToken) out.envdAccessToken = this.envdAccessToken;
    out.allowInternetAccess = this.allowInternetAccess ?? null;
    out.domain = null;
    if (this.network) out.network = this.network;
    out.lifecycle = { autoResume: this.autoResume, onTimeout: this.autoPause ? 'pause' : 'kill' };
    return out;
  }
}

export class Registry {
  constructor({ baseDir, envdVersion, mountNs, hide }) {
    this.baseDir = baseDir;
    this.envdVersion = envdVersion;
    this.mountNs = mountNs;
    this.hide = hide;
    this.sandboxes = new Map();
  }

  create(opts) {
    const sb = new Sandbox(this, opts);
    this.sandboxes.set(sb.id, sb);
    return sb;
  }

  get(id) {
    return this.sandboxes.get(id);
  }

  async killAll() {
    await Promise.all([...this.sandboxes.values()].map((s) => s.kill()));
  }
}
