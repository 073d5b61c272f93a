// fake/sandboxes.mjs - the sandboxes the API knows: their records (as the
// API answers them), their lifecycle, and their directory and processes on
// this host.
//
// Lifecycle, as Daytona's API drives it (create/start/stop/delete answer at
// once and the state moves on later, so every client polls):
//   create   creating (snapshot) or pending_build → starting (image)
//            → started after the start time (--start-ms, or a slow_start fault)
//   stop     stopping → stopped; every process killed at once, sessions
//            forgotten (the daemon restarts), files kept; an ephemeral
//            sandbox (autoDeleteInterval 0) is deleted instead
//   start    starting → started (from stopped or archived); from paused:
//            resuming → started, the frozen processes running on
//   pause    pausing → paused; every process frozen (SIGSTOP; with
//            --mount-ns the sessions' only), sessions and files kept, the
//            toolbox unreachable
//   archive  archiving → archived (from stopped)
//   delete   destroying → gone (404), files removed
// Auto-stop: a started sandbox with autoStopInterval N > 0 stops after N
// "minutes" (--minute-ms each) with no toolbox request and no
// POST …/last-activity; an open request (a log follow) keeps it active, as
// the proxy does. After a stop,
// autoArchiveInterval and autoDeleteInterval count the same minutes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID, randomBytes } from 'node:crypto';
import { createLayout, sandboxUser } from './layout.mjs';
import { SandboxFs } from './vfs.mjs';
import { Sessions } from './sessions.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { startHolder } from '../../e2b/fake/mountns.mjs';

export const ORGANIZATION_ID = '4f2b7d1e-6a3c-4e8f-9b0d-2c5a8e7f1a3b';
export const RUNNER_ID = 'b3c1e2d4-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
export const DAEMON_VERSION = '0.190.0';

const lowerId = (n) => randomBytes(n).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, n);

export class Sandbox {
  constructor(registry, opts) {
    this.registry = registry;
    this.id = randomUUID();
    this.name = opts.name ?? this.id;
    this.snapshot = opts.snapshot;
    this.buildInfo = opts.buildInfo;
    this.osUser = sandboxUser(opts.user ?? 'daytona');
    this.env = opts.env ?? {};
    this.labels = opts.labels ?? {};
    this.public = opts.public ?? false;
    this.networkBlockAll = opts.networkBlockAll ?? false;
    this.networkAllowList = opts.networkAllowList;
    this.domainAllowList = opts.domainAllowList;
    this.target = opts.target ?? 'us';
    this.cpu = opts.cpu ?? 2;
    this.gpu = opts.gpu ?? 0;
    this.memory = opts.memory ?? 4;
    this.disk = opts.disk ?? 10;
    this.autoStopInterval = opts.autoStopInterval ?? 15;
    this.autoArchiveInterval = opts.autoArchiveInterval ?? 7 * 24 * 60;
    this.autoDeleteInterval = opts.autoDeleteInterval ?? -1;
    this.volumes = opts.volumes ?? [];
    this.authToken = lowerId(32);
    this.createdMs = Date.now();
    this.updatedMs = this.createdMs;
    this.lastActivityMs = this.createdMs;
    this.openRequests = 0;
    this.hostname = this.id.slice(0, 12);
    this.dir = join(registry.baseDir, this.id);
    mkdirSync(this.dir, { mode: 0o700 });
    this.mounts = createLayout(this.dir, this.hostname, this.osUser);
    this.fs = new SandboxFs(this.mounts, this.osUser.home);
    // --mount-ns: one mount and PID namespace for all its commands, so a
    // FUSE mount (s3fs, rclone) one command makes is there for the next
    // (tests/e2b/fake/mountns.mjs); it lives as long as the sandbox
    this.holder = registry.mountNs ? startHolder(this.dir, this.mounts, registry.hide) : null;
    this.spawner = null; // jail.mjs: the one bubblewrap its programs run in, started with the first
    this.sessions = new Sessions(this);
    this.onStop = new Set(); // kills of running process/execute calls
    this.timers = {};
    this.state = 'unknown';
    this.desiredState = 'started';
  }

  setState(state, desired = this.desiredState) {
    this.state = state;
    this.desiredState = desired;
    this.updatedMs = Date.now();
  }

  /** Moves to `state` after `ms` (a later change cancels it). */
  later(ms, fn) {
    clearTimeout(this.timers.transition);
    this.timers.transition = setTimeout(fn, ms);
  }

  /** True while the state is on its way to the desired one (the API's "state change in progress"). */
  get changing() {
    return this.state !== this.desiredState;
  }

  /** creating/pending_build/starting → started after `ms`. */
  bootUp(first, ms) {
    this.setState(first, 'started');
    const halfway = first === 'pending_build';
    this.later(halfway ? ms / 2 : ms, () => {
      if (halfway) { this.bootUp('starting', ms / 2); return; }
      this.setState('started');
      this.lastActivityMs = Date.now();
      this.armAutoStop();
    });
  }

  /** Kills every process of the sandbox: sessions, execute calls, follows, the spawner with its namespace. */
  async killProcesses() {
    const stops = [...this.onStop];
    this.onStop.clear();
    await Promise.all([this.sessions.stopAll(), ...stops.map((f) => f()), this.spawner?.kill()]);
  }

  /** API stop (or auto-stop): processes killed now, stopped a little later. */
  stop() {
    if (this.autoDeleteInterval === 0) return this.destroy();
    clearTimeout(this.timers.autoStop);
    this.setState('stopping', 'stopped');
    const killed = this.killProcesses();
    this.later(this.registry.stopMs, () => {
      this.setState('stopped');
      this.armAfterStop();
    });
    return killed;
  }

  autoStopNow() {
    if (this.state === 'started') this.stop();
  }

  start(ms) {
    this.clearAfterStop();
    if (this.state === 'paused') {
      this.spawner?.thaw();
      this.sessions.thawAll();
      this.bootUp('resuming', ms);
      return;
    }
    this.bootUp('starting', ms);
  }

  /** API pause: the processes frozen now (memory kept), paused a little later. */
  pause() {
    clearTimeout(this.timers.autoStop);
    this.setState('pausing', 'paused');
    this.spawner?.freeze();
    this.sessions.freezeAll();
    this.later(this.registry.stopMs, () => this.setState('paused'));
  }

  archive() {
    this.clearAfterStop();
    this.setState('archiving', 'archived');
    this.later(this.registry.stopMs, () => this.setState('archived'));
  }

  /** API delete: destroying now, gone (404) and its files removed a little later. */
  destroy() {
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.setState('destroying', 'destroyed');
    const killed = this.killProcesses();
    this.timers.transition = setTimeout(() => this.vanish(), this.registry.stopMs);
    return killed;
  }

  async vanish() {
    this.setState('destroyed');
    this.registry.sandboxes.delete(this.id);
    await this.killProcesses();
    if (this.holder) await this.holder.stop();
    removeTree(this.dir);
  }

  /** POST …/last-activity: active now. */
  touch() {
    this.lastActivityMs = Date.now();
    this.armAutoStop();
  }

  /** A toolbox request began; the returned function says it ended. */
  activity() {
    this.openRequests++;
    this.lastActivityMs = Date.now();
    clearTimeout(this.timers.autoStop);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.openRequests--;
      this.lastActivityMs = Date.now();
      this.armAutoStop();
    };
  }

  armAutoStop() {
    clearTimeout(this.timers.autoStop);
    if (this.state !== 'started' || this.autoStopInterval <= 0 || this.openRequests > 0) return;
    const due = this.lastActivityMs + this.autoStopInterval * this.registry.minuteMs;
    this.timers.autoStop = setTimeout(() => this.autoStopNow(), Math.min(Math.max(0, due - Date.now()), 0x7fffffff));
  }

  armAfterStop() {
    this.clearAfterStop();
    const minute = this.registry.minuteMs;
    if (this.autoDeleteInterval > 0) this.timers.autoDelete = setTimeout(() => this.destroy(), Math.min(this.autoDeleteInterval * minute, 0x7fffffff));
    if (this.autoArchiveInterval > 0) {
      this.timers.autoArchive = setTimeout(() => { if (this.state === 'stopped') this.archive(); }, Math.min(this.autoArchiveInterval * minute, 0x7fffffff));
    }
  }

  clearAfterStop() {
    clearTimeout(this.timers.autoDelete);
    clearTimeout(this.timers.autoArchive);
  }

  setAutoStopInterval(minutes) {
    this.autoStopInterval = minutes;
    this.updatedMs = Date.now();
    this.armAutoStop();
  }

  /** Fields both answers share, in the API's order. */
  common() {
    const iso = (ms) => new Date(ms).toISOString();
    return {
      id: this.id, organizationId: ORGANIZATION_ID, name: this.name, target: this.target, snapshot: this.snapshot,
      user: this.osUser.name, cpu: this.cpu, gpu: this.gpu, memory: this.memory, disk: this.disk, public: this.public,
      labels: this.labels, state: this.state, desiredState: this.desiredState, backupState: 'None',
      autoStopInterval: this.autoStopInterval, autoArchiveInterval: this.autoArchiveInterval,
      autoDeleteInterval: this.autoDeleteInterval, sandboxClass: 'container', createdAt: iso(this.createdMs),
      updatedAt: iso(this.updatedMs), lastActivityAt: iso(this.lastActivityMs), daemonVersion: DAEMON_VERSION,
      runnerId: RUNNER_ID, toolboxProxyUrl: this.registry.toolboxProxyUrl(),
    };
  }

  /** The Sandbox DTO of get, create, start, stop, delete. */
  toDto() {
    const c = this.common();
    const out = {
      id: c.id, organizationId: c.organizationId, name: c.name, target: c.target, snapshot: c.snapshot, user: c.user,
      env: this.env, cpu: c.cpu, gpu: c.gpu, memory: c.memory, disk: c.disk, public: c.public,
      networkBlockAll: this.networkBlockAll, labels: c.labels, volumes: this.volumes, state: c.state,
      desiredState: c.desiredState, recoverable: false, backupState: c.backupState,
      autoStopInterval: c.autoStopInterval, autoArchiveInterval: c.autoArchiveInterval,
      autoDeleteInterval: c.autoDeleteInterval, sandboxClass: c.sandboxClass, createdAt: c.createdAt,
      updatedAt: c.updatedAt, lastActivityAt: c.lastActivityAt, daemonVersion: c.daemonVersion, runnerId: c.runnerId,
      toolboxProxyUrl: c.toolboxProxyUrl,
    };
    if (this.networkAllowList !== undefined) out.networkAllowList = this.networkAllowList;
    if (this.domainAllowList !== undefined) out.domainAllowList = this.domainAllowList;
    if (this.buildInfo) {
      const at = new Date(this.createdMs).toISOString();
      out.buildInfo = { dockerfileContent: this.buildInfo.dockerfileContent, contextHashes: this.buildInfo.contextHashes ?? [], createdAt: at, updatedAt: at, snapshotRef: this.snapshotRef() };
    }
    return out;
  }

  snapshotRef() {
    return `daytona-fake-build-${this.id.slice(0, 8)}:latest`;
  }

  /** The SandboxListItem of a list page. */
  toListItem() {
    const c = this.common();
    return c;
  }
}

export class Registry {
  constructor({ baseDir, startMs, stopMs, minuteMs, mountNs = false, hide = [] }) {
    this.baseDir = baseDir;
    this.mountNs = mountNs;
    this.hide = hide; // files bound over with /dev/null (--hide)
    this.startMs = startMs;
    this.stopMs = stopMs;
    this.minuteMs = minuteMs;
    this.sandboxes = new Map();
    this.port = 0;
  }

  toolboxProxyUrl() {
    return `http://127.0.0.1:${this.port}/toolbox`;
  }

  create(opts, startMs) {
    const sb = new Sandbox(this, opts);
    this.sandboxes.set(sb.id, sb);
    sb.bootUp(opts.buildInfo ? 'pending_build' : 'creating', startMs ?? this.startMs);
    return sb;
  }

  /** By id first, then by name; destroyed ones are not found. */
  get(idOrName) {
    const byId = this.sandboxes.get(idOrName);
    if (byId) return byId;
    return [...this.sandboxes.values()].find((s) => s.name === idOrName);
  }

  async killAll() {
    for (const sb of this.sandboxes.values()) for (const t of Object.values(sb.timers)) clearTimeout(t);
    await Promise.all([...this.sandboxes.values()].map((s) => s.killProcesses()));
    await Promise.all([...this.sandboxes.values()].map((s) => s.holder?.stop()));
  }
}
