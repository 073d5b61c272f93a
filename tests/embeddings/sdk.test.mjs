// tests/embeddings/sdk.test.mjs - embed-server.mjs is faithful to OpenAI's
// embeddings API as the official openai package (pinned in
// package-lock.json) sees it: the SDK's default base64 answers and explicit
// float ones decode to the same vectors, `dimensions`, batches in order,
// its error classes for a wrong key, an unknown model and a bad input, and
// its retry of a 500. Then the vectors themselves: deterministic, length 1,
// and closer for texts about the same thing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import OpenAI from 'openai';

const KEY = 'sk-test-7Hq2LmVx9Rt4';
const MODEL = 'wsp-test-embed-1';
let server, lines, client;

async function command(text) {
  server.stdin.write(`${text}\n`);
  const [line] = await once(lines, 'line');
  assert.match(line, /^ok/);
  return line;
}

before(async () => {
  server = spawn(process.execPath, [new URL('./embed-server.mjs', import.meta.url).pathname,
    '--key', KEY, '--dim', '48', '--model', MODEL], { stdio: ['pipe', 'pipe', 'inherit'] });
  lines = readline.createInterface({ input: server.stdout });
  const [first] = await once(lines, 'line');
  const port = Number(/^listening 127\.0\.0\.1:(\d+)$/.exec(first)[1]);
  client = new OpenAI({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 2 });
});

after(async () => {
  server.stdin.end();
  await once(server, 'exit');
});

const cos = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

test('base64 (the SDK default) and float answers are the same vectors', async () => {
  const texts = ['the car needs a repair', 'an automobile in the garage', 'a puppy and a dog'];
  const b64 = await client.embeddings.create({ model: MODEL, input: texts });
  const flt = await client.embeddings.create({ model: MODEL, input: texts, encoding_format: 'float' });
  assert.equal(b64.object, 'list');
  assert.equal(b64.model, MODEL);
  assert.equal(b64.data.length, 3);
  assert.ok(b64.usage.prompt_tokens > 0 && b64.usage.total_tokens === b64.usage.prompt_tokens);
  b64.data.forEach((d, i) => {
    assert.equal(d.object, 'embedding');
    assert.equal(d.index, i);
    assert.equal(d.embedding.length, 48);
    assert.deepEqual(d.embedding, flt.data[i].embedding);
    assert.ok(Math.abs(cos(d.embedding, d.embedding) - 1) < 1e-5);
  });
  const [car, automobile, dog] = flt.data.map((d) => d.embedding);
  assert.ok(cos(car, automobile) > cos(car, dog), 'car is closer to automobile than to dog');
  assert.ok(cos(car, automobile) > 0.3);
  // deterministic
  const again = await client.embeddings.create({ model: MODEL, input: 'the car needs a repair', encoding_format: 'float' });
  assert.deepEqual(again.data[0].embedding, car);
});

test('dimensions shortens the vectors', async () => {
  const r = await client.embeddings.create({ model: MODEL, input: ['kernel scheduler'], dimensions: 16, encoding_format: 'float' });
  assert.equal(r.data[0].embedding.length, 16);
  await assert.rejects(client.embeddings.create({ model: MODEL, input: 'x y', dimensions: 4096 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'dimensions');
});

test('errors are the ones the SDK knows', async () => {
  const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: client.baseURL, maxRetries: 0 });
  await assert.rejects(wrong.embeddings.create({ model: MODEL, input: 'a text' }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key');
  await assert.rejects(client.embeddings.create({ model: 'no-such-model', input: 'a text' }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(client.embeddings.create({ model: MODEL, input: '' }),
    (e) => e instanceof OpenAI.BadRequestError && /input/.test(e.message));
  await assert.rejects(client.embeddings.create({ model: MODEL, input: Array(2049).fill('word') }),
    (e) => e instanceof OpenAI.BadRequestError);
});

test('a 500 is retried by the SDK and then answered', async () => {
  const before = /requests=(\d+)/.exec(await command('stats'))[1];
  await command('fail 500 1');
  const r = await client.embeddings.create({ model: MODEL, input: 'retry me', encoding_format: 'float' });
  assert.equal(r.data.length, 1);
  const now = /requests=(\d+)/.exec(await command('stats'))[1];
  assert.equal(Number(now) - Number(before), 2);
  await command('fail 503 3'); // the first try and the SDK's two retries
  await assert.rejects(client.embeddings.create({ model: MODEL, input: 'x y' }),
    (e) => e instanceof OpenAI.InternalServerError && e.status === 503);
});
