// tests/common/fake/proc-tree.mjs - a host process and everything below
// it, found in /proc and stopped before it is killed, so nothing forks past
// the kill. Shared by the E2B, Daytona and Blaxel fakes.
import { readFileSync } from 'node:fs';

/** Host pids of `pid`'s children, from /proc/PID/task/PID/children. */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `pid` and all its descendants, parents first. */
export function processTree(pid) {
  const out = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.shift();
    out.push(p);
    todo.push(...childrenOf(p));
  }
  return out;
}

export function signalProcess(pid, sig) {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

const pause1ms = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);

function stopped(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[TtZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true; // gone
  }
}

/**
 * Stops `pid` and everything below it, so nothing forks any more, and
 * returns the stopped tree. Stopping first matters: a bwrap killed while
 * its child is still setting up never hands that child its death signal,
 * and the child (the namespace's init) would live on with the command.
 */
export function stopTree(pid) {
  let tree = [];
  for (let pass = 0; pass < 50; pass++) {
    const now = processTree(pid);
    for (const p of now) signalProcess(p, 'SIGSTOP');
    for (let i = 0; i < 20 && !now.every(stopped); i++) pause1ms();
    if (now.length === tree.length && now.every((p, i) => p === tree[i])) break;
    tree = now;
  }
  return tree;
}

/** SIGSTOPs `pid` and everything below it (a pause); `thawTree` undoes it. */
export function freezeTree(pid) {
  stopTree(pid);
}

/** SIGCONTs `pid` and everything below it: what `freezeTree` stopped runs on. */
export function thawTree(pid) {
  for (const p of processTree(pid)) signalProcess(p, 'SIGCONT');
}

/** SIGKILLs `pid` and every process below it, without a race against forks. */
export function killTree(pid) {
  for (const p of stopTree(pid)) signalProcess(p, 'SIGKILL');
}
