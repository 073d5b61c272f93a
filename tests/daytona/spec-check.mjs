// tests/daytona/spec-check.mjs - the Daytona specs (specs/, copied from the
// project's spec collection) as checks: required and declared properties
// of OpenAPI schemas, and the parameters an operation declares.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'specs');

export function openapi(file) {
  const doc = parseYaml(readFileSync(join(dir, file), 'utf8'));
  const deref = (s) => (s && s.$ref ? deref(s.$ref.split('/').slice(1).reduce((o, k) => o[k], doc)) : s);
  // allOf parts merged: their properties and required lists together.
  const flat = (s) => {
    s = deref(s);
    if (!s.allOf) return s;
    const parts = s.allOf.map(flat);
    return { properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})), required: parts.flatMap((p) => p.required ?? []) };
  };
  return {
    doc,
    /** Problems of `obj` against schema `name`: missing required or undeclared properties. */
    problems(name, obj) {
      const s = flat(doc.components.schemas[name]);
      const out = [];
      for (const r of s.required ?? []) if (!(r in obj)) out.push(`${name}: required '${r}' missing`);
      if (s.properties) for (const k of Object.keys(obj)) if (!(k in s.properties)) out.push(`${name}: '${k}' not declared`);
      return out;
    },
    /** Names of the parameters of an operation that are `where` (query, path, header). */
    params(path, method, where = 'query') {
      return (doc.paths[path][method].parameters ?? []).map(deref).filter((p) => p.in === where).map((p) => p.name);
    },
    /** The status codes an operation declares. */
    statuses(path, method) {
      return Object.keys(doc.paths[path][method].responses);
    },
  };
}
