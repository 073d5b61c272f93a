// tests/common/fake/openapi.mjs - a vendor's OpenAPI document as the SDK
// tests' spec checks read it (tests/e2b, tests/daytona, tests/blaxel
// spec-check.mjs): the parsed document, its $ref resolver, and the
// shallow check of an object against a schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The document at `dir`/`file` and `deref(s)`: s with its $ref (chains
 * too) followed. `parseYaml` is the suite's own `yaml` package's parse:
 * this folder has built-in imports only.
 */
export function openapiDoc(dir, file, parseYaml) {
  const doc = parseYaml(readFileSync(join(dir, file), 'utf8'));
  const deref = (s) => (s && s.$ref ? deref(s.$ref.split('/').slice(1).reduce((o, k) => o[k], doc)) : s);
  return { doc, deref };
}

/**
 * Problems of `obj` against the resolved schema `s` named `name`: a
 * required property missing, and, where `s` declares properties, one it
 * does not declare.
 */
export function shallowProblems(name, s, obj) {
  const out = [];
  for (const r of s.required ?? []) if (!(r in obj)) out.push(`${name}: required '${r}' missing`);
  if (s.properties) for (const k of Object.keys(obj)) if (!(k in s.properties)) out.push(`${name}: '${k}' not declared`);
  return out;
}
