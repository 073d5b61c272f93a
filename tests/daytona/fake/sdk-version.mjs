// fake/sdk-version.mjs - how the toolbox shapes session output for a
// client, from its SDK version (X-Daytona-SDK-Version, or a
// `X-Daytona-SDK-Version~V` WebSocket subprotocol):
//   >= 0.167.0              JSON with the raw multiplexed `output` and the
//                           server-demuxed `stdout` and `stderr`
//   [0.27.0, 0.167.0), or no version but X-Daytona-Split-Output: true
//                           the raw multiplexed bytes (text/plain; exec
//                           answers `output` only)
//   < 0.27.0, or no version and no split header
//                           "combined": the markers stripped
// A version that does not parse counts as new; one containing "dev" is
// never old.

function parse(v) {
  const n = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!n) return null;
  return { nums: [Number(n[1]), Number(n[2] ?? 0), Number(n[3] ?? 0)], pre: n[4] ?? null };
}

// "0.218.0dev" is read as "0.218.0-dev", as the daemon normalises it.
const normalise = (v) => v.replace(/^(\d+)\.(\d+)\.(\d+)([^\d.\-+].*)$/, '$1.$2.$3-$4');

function comparePre(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const x = a.split('.'), y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const nx = /^\d+$/.test(x[i]), ny = /^\d+$/.test(y[i]);
    if (nx && ny && Number(x[i]) !== Number(y[i])) return Number(x[i]) < Number(y[i]) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

/** -1, 0 or 1; null when `v` does not parse. */
export function compareVersions(v, w) {
  const a = parse(normalise(v)), b = parse(normalise(w));
  if (!a || !b) return null;
  for (let i = 0; i < 3; i++) if (a.nums[i] !== b.nums[i]) return a.nums[i] < b.nums[i] ? -1 : 1;
  return comparePre(a.pre, b.pre);
}

export function sdkVersion(headers) {
  const h = headers['x-daytona-sdk-version'];
  if (h) return h;
  for (const p of (headers['sec-websocket-protocol'] ?? '').split(',')) {
    const t = p.trim();
    if (t.startsWith('X-Daytona-SDK-Version~')) return t.slice('X-Daytona-SDK-Version~'.length);
  }
  return '';
}

/** {combined, skipDemux} for a request's headers. */
export function outputMode(headers) {
  const v = sdkVersion(headers);
  const dev = v.includes('dev');
  const below27 = compareVersions(v, '0.27.0-0') === -1;
  const combined = (below27 && !dev) || (v === '' && headers['x-daytona-split-output'] !== 'true');
  let skipDemux;
  if (v === '') skipDemux = true;
  else if (dev) skipDemux = false;
  else {
    const c = compareVersions(v, '0.167.0-0');
    skipDemux = c === null || c < 0;
  }
  return { combined, skipDemux };
}
