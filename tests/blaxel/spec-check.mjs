// tests/blaxel/spec-check.mjs - the Blaxel specs (specs/, copied from the
// project's spec collection) as checks: the required and the declared
// properties of a schema (allOf merged), and the operations a path has.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { openapiDoc } from '../common/fake/openapi.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'specs');

export function openapi(file) {
  const { doc, deref } = openapiDoc(dir, file, parseYaml);
  /** A schema with its allOf parts folded in: {required, properties}. */
  const flat = (s) => {
    s = deref(s);
    const out = { required: [...(s.required ?? [])], properties: { ...(s.properties ?? {}) } };
    for (const part of s.allOf ?? []) {
      const f = flat(part);
      out.required.push(...f.required);
      Object.assign(out.properties, f.properties);
    }
    return out;
  };
  return {
    doc,
    /** The flattened schema `name`. */
    schema: (name) => flat(doc.components.schemas[name]),
    /**
     * Problems of `obj` against schema `name`: missing required or
     * undeclared properties, and the same one level down for properties
     * that are objects of a named schema. `allowed` lists known extras
     * ("stdin", "spec.runtime.generation").
     */
    problems(name, obj, allowed = [], prefix = '') {
      const s = flat(doc.components.schemas[name]);
      const out = [];
      for (const r of s.required) if (!(r in obj)) out.push(`${name}: required '${prefix}${r}' missing`);
      for (const [k, v] of Object.entries(obj)) {
        const key = prefix + k;
        if (allowed.includes(key)) continue;
        const p = s.properties[k];
        if (!p) { out.push(`${name}: '${key}' not declared`); continue; }
        const ref = p.$ref ?? p.allOf?.[0]?.$ref;
        if (ref && v && typeof v === 'object' && !Array.isArray(v)) {
          const sub = ref.split('/').pop();
          if (deref({ $ref: ref }).type !== 'object' || deref({ $ref: ref }).additionalProperties) continue;
          out.push(...this.problems(sub, v, allowed, key + '.'));
        }
      }
      return out;
    },
    /** The methods `path` declares. */
    methods: (path) => Object.keys(doc.paths[path] ?? {}).filter((m) => ['get', 'put', 'post', 'delete', 'patch'].includes(m)),
  };
}
