// tests/embeddings/embed-server.mjs - a local embeddings server speaking
// OpenAI's wire format (POST /v1/embeddings), for wsp's vector and hybrid
// search tests. sdk.test.mjs proves it faithful with the official openai
// package; tests/tools/test_search_vector.c runs wsp against it.
//
// The vectors are real and deterministic: a hashed bag of words. Each word
// (lowercased, a plural "s" dropped, stopwords skipped) is first mapped to
// its concept by a small synonym table (car, automobile and vehicle are one
// concept), then hashed (FNV-1a) to a dimension and a sign; the sum is
// scaled to length 1. Texts that share words or concepts get a higher
// cosine, so "automobile" finds a text about cars where BM25, which only
// sees words, finds nothing.
//
// Usage: node embed-server.mjs [--key KEY] [--dim N] [--model NAME]
// It listens on 127.0.0.1 (an ephemeral port), prints
// "listening 127.0.0.1:PORT" and exits when stdin ends. Commands on stdin,
// each answered by one line starting with "ok":
//   fail STATUS N     the next N requests get STATUS and an OpenAI error
//   leak N            the next N requests get a 401 whose message quotes
//                     the Authorization header (a server that echoes keys)
//   bad KIND          the next request gets a broken answer: nan (a number
//                     too large for a float), count (one entry short), dims
//                     (one vector a dimension short), index (an index twice),
//                     json (not JSON), huge (40 MiB)
//   stats             "ok requests=R inputs=I": embedding requests so far
//                     (all answers) and the inputs they carried
import http from 'node:http';
import readline from 'node:readline';

const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const KEY = opt('--key', null);
const DIM = Number(opt('--dim', '64'));
const MODEL = opt('--model', 'wsp-test-embed-1');
const MAX_INPUTS = 2048; // OpenAI's limit per request

const STOPWORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in',
  'into', 'is', 'it', 'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then',
  'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with']);
const CONCEPTS = {
  vehicle: ['car', 'automobile', 'vehicle', 'auto', 'sedan', 'truck'],
  dog: ['dog', 'puppy', 'canine', 'hound'],
  cat: ['cat', 'kitten', 'feline'],
  doctor: ['doctor', 'physician', 'medic', 'clinician'],
  fast: ['fast', 'quick', 'rapid', 'speedy', 'swift'],
  happy: ['happy', 'glad', 'joyful', 'cheerful'],
  repair: ['repair', 'fix', 'mend', 'service'],
};
const CONCEPT_OF = new Map();
for (const [c, words] of Object.entries(CONCEPTS)) for (const w of words) CONCEPT_OF.set(w, c);

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function words(text) {
  const out = [];
  for (let w of text.toLowerCase().split(/[^\p{L}\p{N}_]+/u)) {
    if (w.length < 2 || STOPWORDS.has(w)) continue;
    if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.push(CONCEPT_OF.get(w) ?? w);
  }
  return out;
}

// The vector of one text, float32, length 1 (zero when it has no words).
export function embed(text, dim = DIM) {
  const v = new Float32Array(dim);
  for (const w of words(text)) {
    const h = fnv1a(w);
    v[h % dim] += (h >>> 31) ? -1 : 1;
  }
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum > 0) {
    const s = 1 / Math.sqrt(sum);
    for (let i = 0; i < dim; i++) v[i] *= s;
  }
  return v;
}

function tokens(text) {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, 'utf8') / 4));
}

let requests = 0;
let inputs = 0;
let fails = []; // {status, leak}
let bad = null;

function error(res, status, message, type, code, param = null) {
  const body = JSON.stringify({ error: { message, type, param, code } });
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests}` });
  res.end(body);
}

const TYPES = { 400: 'invalid_request_error', 401: 'invalid_request_error', 404: 'invalid_request_error',
  429: 'requests', 500: 'server_error', 503: 'server_error' };

function answer(req, res, raw) {
  requests++;
  const auth = req.headers.authorization ?? '';
  if (fails.length) {
    const f = fails.shift();
    if (f.leak)
      return error(res, 401, `Incorrect API key provided: ${auth.replace(/^Bearer /, '')}.`,
        'invalid_request_error', 'invalid_api_key');
    return error(res, f.status, `The server had an error while processing your request (test ${f.status}).`,
      TYPES[f.status] ?? 'server_error', null);
  }
  if (KEY !== null && auth !== `Bearer ${KEY}`)
    return error(res, 401, auth ? 'Incorrect API key provided.'
      : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    'invalid_request_error', auth ? 'invalid_api_key' : null);
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  }
  if (typeof body?.model !== 'string')
    return error(res, 400, "you must provide a model parameter", 'invalid_request_error', null);
  if (body.model !== MODEL)
    return error(res, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`,
      'invalid_request_error', 'model_not_found');
  let input = body.input;
  if (typeof input === 'string') input = [input];
  // token arrays (numbers) are texts of their own kind; they embed as words
  if (Array.isArray(input) && input.length && input.every((x) => Number.isInteger(x))) input = [input];
  if (!Array.isArray(input) || !input.length || input.length > MAX_INPUTS ||
      !input.every((x) => (typeof x === 'string' && x.length) ||
        (Array.isArray(x) && x.length && x.every(Number.isInteger))))
    return error(res, 400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      'invalid_request_error', null);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    return error(res, 400, `Invalid value for 'encoding_format': '${format}'.`, 'invalid_request_error',
      'invalid_value', 'encoding_format');
  let dim = DIM;
  if (body.dimensions !== undefined) {
    if (!Number.isInteger(body.dimensions) || body.dimensions < 1 || body.dimensions > DIM)
      return error(res, 400, `Invalid value for 'dimensions'.`, 'invalid_request_error', 'invalid_value', 'dimensions');
    dim = body.dimensions;
  }
  inputs += input.length;
  const texts = input.map((x) => (typeof x === 'string' ? x : x.map((t) => `t${t}`).join(' ')));
  const data = texts.map((t, index) => {
    const v = embed(t, dim);
    return {
      object: 'embedding',
      index,
      embedding: format === 'base64' ? Buffer.from(v.buffer).toString('base64') : Array.from(v),
    };
  });
  const used = texts.reduce((n, t) => n + tokens(t), 0);
  let out = { object: 'list', data, model: MODEL, usage: { prompt_tokens: used, total_tokens: used } };
  let text;
  const kind = bad;
  bad = null;
  if (kind === 'nan') {
    text = JSON.stringify(out).replace(/("embedding":\[)[^,\]]+/, '$11e39');
  } else if (kind === 'count') {
    out.data = data.length > 1 ? data.slice(1) : [];
  } else if (kind === 'dims') {
    data[0].embedding = data[0].embedding.slice(1);
  } else if (kind === 'index') {
    if (data.length > 1) data[1].index = 0;
    else data[0].index = 1;
  } else if (kind === 'json') {
    text = '{"object":"list","data":[{"embedding":[0.1,';
  } else if (kind === 'huge') {
    text = `{"object":"list","pad":"${'x'.repeat(40 << 20)}"}`;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${requests}`,
    'openai-model': MODEL, 'openai-processing-ms': '1' });
  res.end(text ?? JSON.stringify(out));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path !== '/v1/embeddings')
      return error(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
    if (req.method !== 'POST')
      return error(res, 405, `Invalid method for URL (${req.method} ${path})`, 'invalid_request_error', null);
    answer(req, res, Buffer.concat(chunks).toString('utf8'));
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening 127.0.0.1:${server.address().port}\n`);
});

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, a, b] = line.trim().split(/\s+/);
  if (cmd === 'fail') {
    for (let i = 0; i < Number(b ?? 1); i++) fails.push({ status: Number(a) });
  } else if (cmd === 'leak') {
    for (let i = 0; i < Number(a ?? 1); i++) fails.push({ leak: true });
  } else if (cmd === 'bad') {
    bad = a;
  } else if (cmd === 'stats') {
    process.stdout.write(`ok requests=${requests} inputs=${inputs}\n`);
    return;
  } else {
    process.stdout.write(`error unknown command '${cmd}'\n`);
    return;
  }
  process.stdout.write('ok\n');
});
rl.on('close', () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
});
