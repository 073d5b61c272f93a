// tests/daytona/spec-check.mjs - the Daytona specs (specs/, copied from the
// project's spec collection) as checks: required and declared properties
// of OpenAPI schemas, and the parameters an operation declares.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { openapiDoc, shallowProblems } from '../common/fake/openapi.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'specs');

export function openapi(file) {
  const { doc, deref } = openapiDoc(dir, file, parseYaml);
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
    problems: (name, obj) => shallowProblems(name, flat(doc.components.schemas[name]), obj),
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
