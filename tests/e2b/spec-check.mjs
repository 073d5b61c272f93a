// tests/e2b/spec-check.mjs - the E2B specs (specs/, copied from the
// project's spec collection) as checks: required and declared properties
// of OpenAPI schemas, and the proto3 JSON field names, enum values and
// nesting of the envd .proto messages.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { openapiDoc, shallowProblems } from '../common/fake/openapi.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'specs');

export function openapi(file) {
  const { doc, deref } = openapiDoc(dir, file, parseYaml);
  return {
    doc,
    schema: (name) => doc.components.schemas[name],
    /** Problems of `obj` against schema `name`: missing required or undeclared properties. */
    problems: (name, obj) => shallowProblems(name, deref(doc.components.schemas[name]), obj),
    /** Names of the query parameters of an operation. */
    queryParams(path, method) {
      return doc.paths[path][method].parameters.map(deref).filter((p) => p.in === 'query').map((p) => p.name);
    },
  };
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** A small reader for the proto3 subset envd's .proto files use. */
export function proto(file) {
  const text = readFileSync(join(dir, file), 'utf8').replace(/\/\/.*$/gm, '');
  const messages = new Map();
  const enums = new Map();
  const tokens = text.match(/[A-Za-z_][\w.]*|\d+|[{}=;<>,]/g);
  let i = 0;
  const scope = [];
  const skipTo = (t) => { while (tokens[i] !== t) i++; i++; };
  while (i < tokens.length) {
    const t = tokens[i];
    if (t === 'message' || t === 'enum') {
      const name = [...scope, tokens[i + 1]].join('.');
      i += 3; // name {
      if (t === 'enum') {
        const values = [];
        while (tokens[i] !== '}') { values.push(tokens[i]); skipTo(';'); }
        i++;
        enums.set(name, values);
      } else {
        messages.set(name, new Map());
        scope.push(tokens[i - 2]);
      }
    } else if (t === '}') {
      scope.pop();
      i++;
    } else if (t === 'oneof') {
      i += 3; // oneof name {
      scope.push(null); // fields inside belong to the enclosing message
    } else if (scope.length && (t === 'repeated' || t === 'optional' || t === 'map' || /^[A-Za-z]/.test(t)) && tokens.includes('=', i)) {
      const owner = scope.filter(Boolean).join('.');
      let repeated = false, map = false, type;
      if (t === 'repeated' || t === 'optional') { repeated = t === 'repeated'; i++; }
      if (tokens[i] === 'map') { map = true; type = tokens[i + 4]; i += 6; } else { type = tokens[i]; i++; }
      const name = tokens[i];
      skipTo(';');
      messages.get(owner).set(camel(name), { type, repeated, map, scope: owner });
    } else {
      i++;
    }
  }
  // 'oneof' pushed null; '}' of a oneof pops it, so scope stays right.
  const resolve = (type, from) => {
    const parts = from.split('.');
    for (let n = parts.length; n >= 0; n--) {
      const cand = [...parts.slice(0, n), type].join('.');
      if (messages.has(cand) || enums.has(cand)) return cand;
    }
    return type;
  };
  const scalar = new Set(['string', 'bytes', 'bool', 'int32', 'uint32', 'sint32', 'int64', 'uint64', 'sint64', 'google.protobuf.Timestamp']);
  /** Problems of a proto3 JSON value against message `name`. */
  function problems(name, obj, path = name) {
    const fields = messages.get(name);
    if (!fields) return [`${path}: no message ${name}`];
    const out = [];
    for (const [k, v] of Object.entries(obj)) {
      const f = fields.get(k);
      if (!f) { out.push(`${path}: field '${k}' not in ${name}`); continue; }
      const values = f.repeated ? v : f.map ? Object.values(v) : [v];
      for (const one of values) {
        if (scalar.has(f.type)) {
          const want = f.type === 'bool' ? 'boolean' : /int32$/.test(f.type) ? 'number' : 'string';
          if (typeof one !== want) out.push(`${path}.${k}: ${typeof one}, not ${want} (${f.type})`);
          continue;
        }
        const t = resolve(f.type, f.scope);
        if (enums.has(t)) {
          if (!enums.get(t).includes(one)) out.push(`${path}.${k}: '${one}' not a value of ${t}`);
        } else {
          out.push(...problems(t, one, `${path}.${k}`));
        }
      }
    }
    return out;
  }
  return { messages, enums, problems };
}
