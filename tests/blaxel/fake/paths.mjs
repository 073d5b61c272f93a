// fake/paths.mjs - the sandbox-api's path rules (sandbox-api
// src/handler/filesystem.go extractPathFromRequest, src/lib/path.go
// FormatPath, filesystem.GetAbsolutePath), which decide what
// `/filesystem/...` means:
//
//   /filesystem/%2Ftmp%2Fa   the raw URL holds %2F: the decoded path, here
//                            "//tmp/a", then "//" folded: absolute /tmp/a
//                            (what the SDK's generated client sends)
//   /filesystem//tmp/a       one slash dropped: absolute /tmp/a (what the
//                            SDK's writeBinary sends)
//   /filesystem/tmp/a        one slash dropped: relative tmp/a, so
//                            /blaxel/tmp/a (the working directory)
//   /filesystem/             "." (the working directory)
//
// `~` expands to HOME. Results keep the form the server reports back:
// relative stays relative in `path` fields, "." shows as the working dir.
import { posix } from 'node:path';
import { HOME, WORKDIR } from './layout.mjs';

export class PathError extends Error {}

/** Decodes %XX as Go's url.PathUnescape would (bad escapes are an error). */
function unescape(raw) {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new PathError(`invalid URL escape in '${raw}'`);
  }
}

/** lib.FormatPath: "" is ".", ~ is HOME, every "//" folded to "/". */
export function formatPath(p) {
  let path = p === '' ? '.' : p;
  if (path.startsWith('~')) path = HOME + path.slice(1);
  while (path.includes('//')) path = path.replaceAll('//', '/');
  return path;
}

/** The path of a route `/prefix/*path`, `rawParam` as sent (still escaped). */
export function pathParam(rawParam) {
  const decoded = unescape(rawParam);
  if (rawParam.includes('%2F')) return formatPath(decoded);
  let path = decoded;
  if (path === '/') path = '.';
  else if (path.startsWith('/')) path = path.slice(1);
  return formatPath(path);
}

/** filesystem.GetAbsolutePath with root "/" and the working directory /blaxel. */
export function absolutePath(path) {
  return posix.normalize(path.startsWith('/') ? path : posix.join(WORKDIR, path)).replace(/(.)\/$/, '$1');
}

/** ResolveDisplayPath: "." is shown as the working directory. */
export function displayPath(path) {
  return path === '.' || path === './' ? WORKDIR : path;
}
