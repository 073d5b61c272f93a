// tests/mcp/mcp_sdk.test.mjs - drives `wsp mcp` with the official MCP
// TypeScript SDK client (pinned by package-lock.json): initialize, tools
// listing, each tool the workspace offers, progress, a background process,
// language servers (pylsp's diagnostics, lsp_inspect),
// cancellation, approval through elicitation, malformed requests, the
// local sandbox's extension operations exposed as tools, and that
// connecting and listing start no provider (a fixture that logs its init).
//
// Run: WSP_BIN=<build>/bin/wsp WSP_EXT_FIXTURES=<build>/tests/ext/fixtures \
//      node --test tests/mcp/mcp_sdk.test.mjs
// (ctest does this; `npm ci` in tests/mcp first).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

let sdk;
try {
  sdk = {
    ...(await import('@modelcontextprotocol/sdk/client/index.js')),
    ...(await import('@modelcontextprotocol/sdk/client/stdio.js')),
    ...(await import('@modelcontextprotocol/sdk/types.js')),
  };
} catch (e) {
  console.error('tests/mcp: the MCP SDK is not installed; run ' +
    '`npm ci` in tests/mcp first (' + e.message + ')');
  process.exit(1);
}
const { Client, StdioClientTransport, ElicitRequestSchema, McpError } = sdk;

const wsp = process.env.WSP_BIN;
if (!wsp) {
  console.error('tests/mcp: set WSP_BIN to the wsp binary');
  process.exit(1);
}

let dir, work;

function config(extra = '', w = work) {
  const file = join(dir, `wsp-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file,
    'sandbox:\n  provider: local\n  options:\n' +
    `    working_dir: ${w}\n    isolation: none\n` +
    `    state_dir: ${dir}/state\n` +
    `mounts:\n  /:\n    provider: local\n    options:\n      base_path: ${w}\n` +
    extra);
  return file;
}

async function connect(extra = '', capabilities = {}, w = work) {
  const transport = new StdioClientTransport({
    command: wsp,
    args: ['--config', config(extra, w), 'mcp'],
    stderr: 'inherit',
  });
  const client = new Client({ name: 'wsp-test', version: '1.0.0' },
    { capabilities });
  await client.connect(transport);
  open.push(client);
  return client;
}

// Clients still open after a test (one that failed half-way) are closed,
// so their servers never outlive the run.
const open = [];
afterEach(async () => {
  while (open.length) await open.pop().close().catch(() => {});
});

function text(result) {
  assert.equal(result.content[0].type, 'text');
  return result.content[0].text;
}

const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsp-mcp-sdk-'));
  work = join(dir, 'work');
  mkdirSync(work);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('initialize: server info, instructions, capabilities', async () => {
  const client = await connect();
  assert.equal(client.getServerVersion().name, 'wsp');
  assert.ok(client.getServerCapabilities().tools);
  // the sandbox is not started yet: it is named, its own text comes later
  assert.match(client.getInstructions(),
    /Commands run in the '[^']+' sandbox \(provider 'local'\), started by the first command\./);
  assert.match(client.getInstructions(), /\n- \/\n/);
  await client.ping();
  await client.close();
});

test('tools/list gives JSON Schemas', async () => {
  const client = await connect();
  const { tools } = await client.listTools();
  const exec = tools.find((t) => t.name === 'execute_command');
  assert.ok(exec, 'execute_command is listed');
  assert.equal(exec.inputSchema.type, 'object');
  assert.deepEqual(exec.inputSchema.required, ['command']);
  assert.equal(exec.inputSchema.properties.timeout.description,
    'Maximum execution time in seconds. Example: 60 for 1 minute.');
  await client.close();
});

test('execute_command: output, exit codes, progress', async () => {
  const client = await connect();
  let r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo hello' } });
  assert.equal(text(r), 'hello');
  assert.ok(!r.isError);
  r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo bad >&2; exit 2' } });
  assert.equal(text(r), 'stderr:\nbad\nExit code: 2');
  assert.equal(r.isError, true);

  const chunks = [];
  const go = join(work, 'go-second');
  r = await client.callTool({ name: 'execute_command',
    arguments: { command: `echo first; i=0; while [ ! -e ${go} ] && ` +
      '[ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo second' } },
  undefined, { onprogress: (p) => {
    chunks.push(p.message);
    writeFileSync(go, 'go');
  } });
  assert.equal(text(r), 'first\nsecond');
  // "second" waits (30 s at most) until progress for "first" arrived; the
  // SDK may drop progress that arrives in the same read as the response
  // (it handles notifications a microtask later), so the last chunk is
  // not asserted here
  assert.ok(chunks.join('').includes('first'), 'output streamed: ' +
    JSON.stringify(chunks));
  await client.close();
});

test('each offered tool answers', async () => {
  const client = await connect();
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  writeFileSync(join(work, 'notes.txt'), 'alpha\nbeta\ngamma\n');
  const calls = {
    execute_command: [{ command: 'echo ok' }, /^ok$/],
    read_file: [{ path: 'notes.txt' }, /^notes.txt \(17 bytes\)\n {5}1→alpha/],
    write_file: [{ path: 'out/new.txt', content: 'fresh' },
      /^Wrote 5 bytes to out\/new.txt$/],
    edit_file: [{ path: 'notes.txt', old_string: 'beta', new_string: 'BETA' },
      /^Replaced 1 occurrence in notes.txt/],
    list_files: [{ path: './' }, /notes.txt/],
    file_stat: [{ path: 'notes.txt' }, /^notes.txt Type: file Size: 17 bytes Modified: /],
    mkdir: [{ path: 'made/here' }, /^Created directory made\/here$/],
    grep: [{ pattern: 'gam+a' }, /^1 match across 1 file\n---\n/],
    delete: [{ path: 'made', recursive: true }, /^Deleted made$/],
    get_process_output: [{ pid: 'no-such' }, /^No background process found with PID no-such\.$/],
    kill_process: [{ pid: 'no-such' }, /^Process no-such was not found or had already exited\.$/],
  };
  const order = ['execute_command', 'read_file', 'write_file', 'edit_file',
    'list_files', 'file_stat', 'mkdir', 'grep', 'delete',
    'get_process_output', 'kill_process'];
  for (const name of order) {
    if (!names.includes(name)) continue;
    const [args, want] = calls[name];
    const r = await client.callTool({ name, arguments: args });
    assert.match(text(r), want, `${name} answered: ${text(r)}`);
  }
  for (const name of names)
    assert.ok(order.includes(name), `${name} is covered by this test`);
  await client.close();
});

test('search and index: listed with search:, found, kept current, renamed', async () => {
  const searchYaml = 'search:\n  auto_index_paths: [/kb]\n' +
    `  index_path: ${dir}/search-${Math.random().toString(36).slice(2)}.sqlite\n`;
  mkdirSync(join(work, 'kb'), { recursive: true });
  writeFileSync(join(work, 'kb', 'one.md'), 'intro\nthe otter swims\n');
  let client = await connect(searchYaml);
  let { tools } = await client.listTools();
  const search = tools.find((t) => t.name === 'search');
  assert.ok(search, 'search is listed');
  assert.deepEqual(search.inputSchema.required, ['query']);
  assert.deepEqual(search.inputSchema.properties.mode.enum, ['bm25']);
  assert.equal(search.description, 'Search indexed content in the ' +
    'workspace. Supports keyword (BM25), semantic (vector), and hybrid ' +
    'search modes.');
  assert.ok(tools.find((t) => t.name === 'index'), 'index is listed');
  let r = await client.callTool({ name: 'search', arguments: { query: 'otter' } });
  assert.equal(text(r), '/kb/one.md:2-2: the otter swims\n---\n1 result (bm25 search)');
  // a write through the tools is searchable at once
  r = await client.callTool({ name: 'write_file',
    arguments: { path: 'kb/two.md', content: 'an otter and a heron\n' } });
  assert.ok(!r.isError, text(r));
  r = await client.callTool({ name: 'search', arguments: { query: 'heron', topK: 3 } });
  assert.equal(text(r), '/kb/two.md:1-1: an otter and a heron\n---\n1 result (bm25 search)');
  r = await client.callTool({ name: 'index',
    arguments: { path: 'note-5', content: 'heron facts', metadata: { by: 'test' } } });
  assert.equal(text(r), 'Indexed note-5');
  r = await client.callTool({ name: 'search', arguments: { query: 'heron' } });
  assert.match(text(r), /\n---\n2 results \(bm25 search\)$/);
  // a mode this workspace lacks breaks the schema: -32602
  await assert.rejects(client.callTool({ name: 'search',
    arguments: { query: 'x', mode: 'hybrid' } }), (e) => e.code === -32602);
  await client.close();
  // renamed and disabled through tools:
  client = await connect(searchYaml +
    'tools:\n  search: { name: kb_search }\n  index: { enabled: false }\n');
  ({ tools } = await client.listTools());
  const names = tools.map((t) => t.name);
  assert.ok(names.includes('kb_search') && !names.includes('search') &&
    !names.includes('index'), names.join(' '));
  r = await client.callTool({ name: 'kb_search', arguments: { query: 'otter' } });
  assert.match(text(r), /^\/kb\/(one|two)\.md:/);
  await client.close();
});

test('skills: listed in the instructions, the three tools, renamed and disabled', async () => {
  const skillsYaml = 'skills:\n  - /skillset\n';
  const skill = join(work, 'skillset', 'otter-care');
  mkdirSync(join(skill, 'references'), { recursive: true });
  writeFileSync(join(skill, 'SKILL.md'), '---\nname: otter-care\n' +
    'description: Feed & house otters.\nlicense: MIT\n---\n' +
    'Give the otter fresh fish.\n');
  writeFileSync(join(skill, 'references', 'diet.md'),
    'Diet\nSmelt and trout, twice a day\n');
  mkdirSync(join(work, 'skillset', 'broken'), { recursive: true });
  writeFileSync(join(work, 'skillset', 'broken', 'SKILL.md'), 'no front matter\n');
  let client = await connect(skillsYaml);
  assert.match(client.getInstructions(), /<available_skills>\n  <skill>\n    <name>otter-care<\/name>\n    <description>Feed &amp; house otters\.<\/description>\n    <location>\/skillset\/otter-care\/SKILL\.md<\/location>\n  <\/skill>\n<\/available_skills>\n/);
  assert.doesNotMatch(client.getInstructions(), /broken/);
  let { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  assert.equal(byName.skill.description, 'Activate a skill to load its ' +
    'full instructions. You should activate skills proactively when they ' +
    "are relevant to the user's request without asking for permission first.");
  assert.deepEqual(byName.skill.inputSchema.required, ['name']);
  assert.deepEqual(byName.skill_search.inputSchema.required, ['query']);
  assert.equal(byName.skill_search.inputSchema.properties.skillNames.type, 'array');
  assert.deepEqual(byName.skill_read.inputSchema.required, ['skillName', 'path']);
  let r = await client.callTool({ name: 'skill', arguments: { name: 'otter-care' } });
  assert.equal(text(r), 'Give the otter fresh fish.\n\n## References\n- references/diet.md');
  r = await client.callTool({ name: 'skill', arguments: { name: 'broken' } });
  assert.equal(text(r), 'Skill "broken" not found. Available skills: otter-care');
  r = await client.callTool({ name: 'skill_search', arguments: { query: 'trout' } });
  assert.match(text(r), /^\[\/skillset\/otter-care\] references\/diet\.md \(lines 2-2\) \(score: \d+\.\d\d\)\nSmelt and trout, twice a day\n$/);
  r = await client.callTool({ name: 'skill_search', arguments: { query: 'zebra' } });
  assert.equal(text(r), 'No results found.');
  r = await client.callTool({ name: 'skill_read',
    arguments: { skillName: 'otter-care', path: 'references/diet.md', startLine: 2, endLine: 2 } });
  assert.equal(text(r), 'Smelt and trout, twice a day');
  r = await client.callTool({ name: 'skill_read',
    arguments: { skillName: 'otter-care', path: '../broken/SKILL.md' } });
  assert.ok(r.isError);
  assert.equal(text(r), 'Error: Invalid reference path: ../broken/SKILL.md');
  await client.close();
  // renamed and disabled through tools:
  client = await connect(skillsYaml +
    'tools:\n  skill: { name: activate_skill }\n  skill_search: { enabled: false }\n');
  ({ tools } = await client.listTools());
  const names = tools.map((t) => t.name);
  assert.ok(names.includes('activate_skill') && !names.includes('skill') &&
    !names.includes('skill_search') && names.includes('skill_read'), names.join(' '));
  assert.match(client.getInstructions(), /call the `activate_skill` tool/);
  r = await client.callTool({ name: 'activate_skill', arguments: { name: 'otter-care' } });
  assert.match(text(r), /^Give the otter fresh fish\./);
  await client.close();
});

test('lsp: diagnostics after write_file, lsp_inspect, renamed and disabled', async () => {
  const lspYaml = 'lsp:\n  servers: [pylsp]\n';
  let client = await connect(lspYaml);
  let { tools } = await client.listTools();
  const inspect = tools.find((t) => t.name === 'lsp_inspect');
  assert.ok(inspect, 'lsp_inspect is listed');
  assert.deepEqual(inspect.inputSchema.required, ['path', 'line', 'match']);
  let r = await client.callTool({ name: 'write_file', arguments: {
    path: 'lsp/app.py',
    content: 'def greet(name):\n    return name + suffix\n\ngreet("x")\n' } });
  assert.equal(text(r), 'Wrote 54 bytes to lsp/app.py\n\nLSP Diagnostics:\n' +
    "Errors:\n  2:19 - undefined name 'suffix' [pyflakes]");
  r = await client.callTool({ name: 'lsp_inspect', arguments: {
    path: 'lsp/app.py', line: 4, match: '<<<greet("x")' } });
  assert.ok(!r.isError, text(r));
  const answer = JSON.parse(text(r));
  assert.equal(answer.path, '/lsp/app.py');
  assert.match(answer.hover.value, /greet\(name\)/);
  assert.deepEqual(answer.definition, [{ path: '/lsp/app.py', line: 1, character: 5 }]);
  r = await client.callTool({ name: 'lsp_inspect', arguments: {
    path: 'lsp/app.py', line: 4, match: 'greet("x")' } });
  assert.ok(r.isError);
  assert.equal(text(r), 'No <<< cursor marker found in match');
  await client.close();
  client = await connect(lspYaml + 'tools:\n  lsp_inspect: { name: code_info }\n');
  ({ tools } = await client.listTools());
  let names = tools.map((t) => t.name);
  assert.ok(names.includes('code_info') && !names.includes('lsp_inspect'), names.join(' '));
  await client.close();
  client = await connect(lspYaml + 'tools:\n  lsp_inspect: { enabled: false }\n');
  ({ tools } = await client.listTools());
  names = tools.map((t) => t.name);
  assert.ok(!names.includes('lsp_inspect') && !names.includes('code_info'), names.join(' '));
  await client.close();
});

test('read_file of an image returns image content', async () => {
  const client = await connect();
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    0, 0, 0, 13]);
  writeFileSync(join(work, 'shot.png'), png);
  const r = await client.callTool({ name: 'read_file',
    arguments: { path: 'shot.png' } });
  assert.equal(r.content[0].text, 'shot.png (12 bytes)');
  assert.equal(r.content[1].type, 'image');
  assert.equal(r.content[1].mimeType, 'image/png');
  assert.deepEqual(Buffer.from(r.content[1].data, 'base64'), png);
  await client.close();
});

test('background process: start, read, kill', async (t) => {
  const client = await connect();
  const { tools } = await client.listTools();
  const exec = tools.find((x) => x.name === 'execute_command');
  if (!exec.inputSchema.properties.background) {
    t.diagnostic('the sandbox offers no background processes in this build');
    assert.ok(!tools.find((x) => x.name === 'get_process_output'));
    await client.close();
    return;
  }
  let r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo up; sleep 60', background: true } });
  const m = /^Started background process \(PID: (.+)\)$/.exec(text(r));
  assert.ok(m, text(r));
  const pid = m[1];
  for (let i = 0; i < 200; i++) {
    r = await client.callTool({ name: 'get_process_output', arguments: { pid } });
    if (text(r) !== '(no output yet)') break;
    await sleep(100);
  }
  assert.equal(text(r), 'up');
  r = await client.callTool({ name: 'kill_process', arguments: { pid } });
  assert.equal(text(r), `Process ${pid} has been killed.\n\n--- stdout (last output) ---\nup\n`);
  r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo done', background: true } });
  const pid2 = /PID: (.+)\)/.exec(text(r))[1];
  r = await client.callTool({ name: 'get_process_output',
    arguments: { pid: pid2, wait: true } });
  assert.equal(text(r), 'done\n\nExit code: 0');
  await client.close();
});

test('cancellation stops the running command', async () => {
  const client = await connect();
  const ac = new AbortController();
  const pidFile = join(work, 'cancel.pid');
  const call = client.callTool({ name: 'execute_command',
    arguments: { command: `echo $$ > ${pidFile}; exec sleep 60` } },
  undefined, { signal: ac.signal });
  let pid = 0;
  for (let i = 0; i < 400 && !pid; i++) {
    await sleep(50);
    try { pid = parseInt(readFileSync(pidFile, 'utf8'), 10) || 0; } catch {}
  }
  assert.ok(pid > 0, 'the command started');
  assert.ok(alive(pid));
  ac.abort('user stop');
  await assert.rejects(call);
  for (let i = 0; i < 400 && alive(pid); i++) await sleep(50);
  assert.ok(!alive(pid), 'the command was killed');
  // the session goes on
  const r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo still here' } });
  assert.equal(text(r), 'still here');
  await client.close();
});

test('approval through elicitation', async () => {
  const extra = 'tools:\n  execute_command:\n    require_approval: true\n';
  const client = await connect(extra, { elicitation: {} });
  const asked = [];
  let answer = 'accept';
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params.message);
    return answer === 'accept' ?
      { action: 'accept', content: { approve: true } } :
      { action: 'decline' };
  });
  let r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo allowed' } });
  assert.equal(text(r), 'allowed');
  assert.match(asked[0], /echo allowed/);
  answer = 'decline';
  r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo refused' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /was not approved/);
  await client.close();

  // without the elicitation capability: refused, saying so
  const plain = await connect(extra);
  r = await plain.callTool({ name: 'execute_command',
    arguments: { command: 'echo x' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /requires approval/);
  await plain.close();
});

test('extension operations as tools: checkpoint, list, restore', async () => {
  // Its own working directory: restore swaps the whole directory.
  const w = join(dir, 'ext-work');
  mkdirSync(w);
  const extra = 'tools:\n' +
    '  checkpoint:\n    target: local\n    op: checkpoint\n' +
    '  list_checkpoints:\n    target: local\n    op: checkpoints\n' +
    '  restore:\n    target: local\n    op: restore\n' +
    '    require_approval: true\n';

  // not exposed unless configured
  let client = await connect('', {}, w);
  let { tools } = await client.listTools();
  assert.ok(tools.find((t) => t.name === 'execute_command'));
  assert.ok(!tools.find((t) => /checkpoint|restore/.test(t.name)));
  await client.close();

  client = await connect(extra, { elicitation: {} }, w);
  ({ tools } = await client.listTools());
  const cp = tools.find((t) => t.name === 'checkpoint');
  assert.ok(cp, 'checkpoint is listed');
  assert.deepEqual(cp.inputSchema, {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 1048576 } },
    required: ['name'],
    additionalProperties: false,
  });
  assert.equal(cp.description, "Snapshot the working directory under " +
    "NAME (extension operation 'checkpoint' of provider 'local')");
  assert.deepEqual(tools.find((t) => t.name === 'list_checkpoints')
    .inputSchema.properties, {});

  writeFileSync(join(w, 'plan.txt'), 'v1\n');
  let r = await client.callTool({ name: 'checkpoint',
    arguments: { name: 'snap-1' } });
  assert.ok(!r.isError);
  assert.equal(text(r), "checkpoint 'snap-1': 1 files, 3 bytes");
  r = await client.callTool({ name: 'list_checkpoints', arguments: {} });
  assert.match(text(r), /^snap-1\t\d{4}-/);

  // the provider's refusal: a tool error with its message
  r = await client.callTool({ name: 'checkpoint',
    arguments: { name: 'snap-1' } });
  assert.equal(r.isError, true);
  assert.equal(text(r), "checkpoint 'snap-1' already exists; pick another name");

  // arguments that break the schema never reach the provider
  for (const [args, why] of [
    [{ name: 5 }, /'name' must be a string, not number/],
    [{}, /'name' is required/],
    [{ name: 'x', keep: true }, /'keep' is not a known property/],
  ]) {
    await assert.rejects(client.callTool({ name: 'checkpoint', arguments: args }),
      (e) => e instanceof McpError && e.code === -32602 && why.test(e.message));
  }

  // restore asks first; declined, the files stay
  writeFileSync(join(w, 'plan.txt'), 'v2, edited\n');
  const asked = [];
  let answer = 'decline';
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params.message);
    return answer === 'accept' ?
      { action: 'accept', content: { approve: true } } : { action: 'decline' };
  });
  r = await client.callTool({ name: 'restore', arguments: { name: 'snap-1' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /was not approved/);
  assert.equal(readFileSync(join(w, 'plan.txt'), 'utf8'), 'v2, edited\n');
  answer = 'accept';
  r = await client.callTool({ name: 'restore', arguments: { name: 'snap-1' } });
  assert.ok(!r.isError);
  assert.equal(text(r), "restored 'snap-1': 1 files, 3 bytes");
  assert.equal(readFileSync(join(w, 'plan.txt'), 'utf8'), 'v1\n');
  assert.match(asked[0], /restore/);
  assert.match(asked[0], /snap-1/);
  await client.close();

  // an operation the provider does not have: the server does not start
  const bad = spawnSync(wsp, ['--config', config('tools:\n  snap:\n' +
    '    target: local\n    op: chekpoint\n', w), 'mcp'],
  { input: '', encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /:13:3: tool 'snap': provider 'local' has no extension 'chekpoint'; it has: checkpoint, restore, checkpoints/);
});

// A sandbox that records its init (tests/ext/extdemo.c): connecting,
// initialize and tools/list must not start it, nor the mount; the first
// command does, once. Remote sandboxes must not be created by a listing.
test('initialize and tools/list start no provider; the first command does, once', async () => {
  const fixtures = process.env.WSP_EXT_FIXTURES;
  assert.ok(fixtures, 'set WSP_EXT_FIXTURES to the extension fixtures (ctest does)');
  const log = join(dir, 'init.log');
  const file = join(dir, 'lazy.yaml');
  writeFileSync(file,
    'sandbox:\n  provider: extdemo\n  id: dev-box\n' +
    'mounts:\n  /:\n    provider: extfs\n' +
    'tools:\n  echo_text:\n    target: extdemo\n    op: echo\n');
  const started = () => {
    try { return readFileSync(log, 'utf8'); } catch { return ''; }
  };
  const transport = new StdioClientTransport({
    command: wsp,
    args: ['--plugin-path', fixtures, '--config', file, 'mcp'],
    env: { ...process.env, WSP_EXTDEMO_INIT_LOG: log },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'wsp-test', version: '1.0.0' });
  await client.connect(transport);
  open.push(client);
  assert.match(client.getInstructions(),
    /Commands run in the 'dev-box' sandbox \(provider 'extdemo'\), started by the first command\./);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  assert.ok(names.includes('execute_command'));
  assert.ok(names.includes('echo_text'));
  // extdemo has no process manager: known from its descriptor alone
  assert.ok(!names.includes('get_process_output'));
  assert.equal(started(), '', 'nothing started by initialize or tools/list');

  let r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'echo hi' } });
  assert.equal(text(r), 'extdemo ran: echo hi');
  assert.equal(started(), 'dev-box\n');
  r = await client.callTool({ name: 'execute_command',
    arguments: { command: 'ls' } });
  assert.equal(text(r), 'extdemo ran: ls');
  r = await client.callTool({ name: 'echo_text', arguments: { text: 'again' } });
  assert.equal(text(r), 'again');
  assert.equal(started(), 'dev-box\n', 'started exactly once');
  await client.close();
});

test('JSON-RPC errors through the SDK', async () => {
  const client = await connect();
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }),
    (e) => e instanceof McpError && e.code === -32602);
  await assert.rejects(client.callTool({ name: 'execute_command',
    arguments: { command: 42 } }),
  (e) => e instanceof McpError && e.code === -32602 &&
    /'command' must be a string/.test(e.message));
  await assert.rejects(client.request({ method: 'resources/list' },
    sdk.ListResourcesResultSchema),
  (e) => e instanceof McpError && e.code === -32601);
  await client.close();
});

test('malformed lines on the raw stream', async () => {
  const child = spawn(wsp, ['--config', config(), 'mcp'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const replies = [];
  lines.on('line', (l) => replies.push(JSON.parse(l)));
  const send = (s) => child.stdin.write(s + '\n');
  send('{this is not json');
  send('[]');
  send('{"jsonrpc":"1.0","id":3,"method":"ping"}');
  send('{"jsonrpc":"2.0","id":4,"method":"no/such"}');
  send('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":[]}}');
  // valid JSON, but over the 4 MiB bound: refused without being parsed
  send(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping',
    params: { pad: 'x'.repeat(5 << 20) } }));
  send('{"jsonrpc":"2.0","id":6,"method":"ping"}');
  for (let i = 0; i < 400 && replies.length < 7; i++) await sleep(50);
  child.stdin.end();
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0, 'clean exit on EOF');
  const codes = replies.map((r) => r.error ? r.error.code : 'ok');
  assert.deepEqual(codes, [-32700, -32600, -32600, -32601, -32602, -32700, 'ok']);
  assert.deepEqual(replies.map((r) => r.id), [null, null, 3, 4, 5, null, 6]);
});

test('SIGTERM ends the server and kills running commands', async () => {
  const child = spawn(wsp, ['--config', config(), 'mcp'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const pidFile = join(work, 'term.pid');
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call',
    params: { name: 'execute_command',
      arguments: { command: `echo $$ > ${pidFile}; exec sleep 60` } } }) + '\n');
  let pid = 0;
  for (let i = 0; i < 400 && !pid; i++) {
    await sleep(50);
    try { pid = parseInt(readFileSync(pidFile, 'utf8'), 10) || 0; } catch {}
  }
  assert.ok(pid > 0);
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('exit', r));
  child.stdin.destroy();
  child.stdout.destroy();
  assert.equal(code, 0);
  for (let i = 0; i < 400 && alive(pid); i++) await sleep(50);
  assert.ok(!alive(pid), 'the foreground command was killed');
});
