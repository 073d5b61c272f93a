// fake/bwrap.mjs - envd's shell wrapper: a command (cmd + args) runs
// through `/bin/sh -c 'exec "$@"'` as envd runs it, so an unknown command
// ends with sh's 127 rather than a spawn error. The Blaxel fake's
// processes use this form as well; both hand the result to the sandbox's
// spawner (tests/common/fake/spawner.mjs), inside its bubblewrap.
export { findBwrap } from '../../common/fake/bwrap.mjs';

/** The argv the spawner runs for command `argv` (cmd + args). */
export function shellArgv(argv) {
  return ['/bin/sh', '-c', 'exec "$@"', '--', ...argv];
}
