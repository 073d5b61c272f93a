// fake/bwrap.mjs - the bubblewrap command line of tests/common/fake/bwrap.mjs
// with envd's shell wrapper: a command (cmd + args) runs through
// `/bin/sh -c 'exec "$@"'` as envd runs it, so an unknown command ends with
// sh's 127 rather than a spawn error. The Blaxel fake's processes use this
// form as well.
import { bwrapArgs as jailArgs } from '../../common/fake/bwrap.mjs';

export { findBwrap } from '../../common/fake/bwrap.mjs';

/** argv after the bwrap binary; `argv` is the command (cmd + args). */
export function bwrapArgs(opts) {
  return jailArgs({ ...opts, argv: ['/bin/sh', '-c', 'exec "$@"', '--', ...opts.argv] });
}
