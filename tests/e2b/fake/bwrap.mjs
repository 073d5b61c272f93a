// fake/bwrap.mjs - envd's shell wrapper: a command (cmd + args) runs
// through `/bin/sh -c 'exec "$@"'` as envd runs it, so an unknown command
// ends with sh's 127 rather than a spawn error; the result goes to the
// sandbox's spawner (tests/common/fake/spawner.mjs), inside its
// bubblewrap. (Blaxel's sandbox-api runs `sh -c COMMAND` alone: its fake
// has no such wrapper.)
export { findBwrap } from '../../common/fake/bwrap.mjs';

/** The argv the spawner runs for command `argv` (cmd + args). */
export function shellArgv(argv) {
  return ['/bin/sh', '-c', 'exec "$@"', '--', ...argv];
}
