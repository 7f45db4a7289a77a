// Claude Code's JSON Schemas (draft 2020-12) for Gemini: `toGeminiJsonSchema` for `parametersJsonSchema`
// (the default: real JSON Schema, `$schema` stripped) and `toGeminiParameters` for `parameters`, Gemini's
// OpenAPI-subset `Schema` proto, which rejects many keywords with 400 (docs/protocols.md §3.3).

import type { JsonSchema } from '../../wire/types.ts';
import type { GeminiSchema } from './gemini-types.ts';

type Obj = { [key: string]: unknown };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy without `$schema` at any depth (a property *named* `$schema` is kept). */
export function toGeminiJsonSchema(schema: JsonSchema): JsonSchema {
  return stripSchemaKey(schema) as JsonSchema;
}

function stripSchemaKey(node: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((v) => stripSchemaKey(v));
  if (!isObj(node)) return node;
  const out: Obj = {};
  // "If $ref is set on a sub-schema, no other properties, except for than those starting as a $, may be
  // set" (https://ai.google.dev/api/generate-content#v1beta.GenerationConfig); the API also keeps
  // description and default. The siblings only restate the referenced schema, so they are left out.
  const refOnly = !isPropertyMap && typeof node.$ref === 'string';
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' && !isPropertyMap) continue;
    if (refOnly && !k.startsWith('$') && k !== 'description' && k !== 'default') continue;
    const mapOfSchemas = !isPropertyMap && (k === 'properties' || k === 'patternProperties' || k === '$defs' || k === 'definitions');
    out[k] = isPropertyMap ? stripSchemaKey(v) : stripSchemaKey(v, mapOfSchemas);
  }
  return out;
}

/**
 * `budget` and `memo` are shared by every nested context of one tool schema (the spread copies the
 * references): the budget counts output nodes, the memo holds each `$ref` already converted in the
 * same place (depth and enclosing refs), so a definition used many times is converted once.
 */
type Ctx = {
  root: Obj;
  warnings: string[];
  refs: string[];
  depth: number;
  budget: { used: number };
  memo: Map<string, { schema: GeminiSchema; nodes: number }>;
};

const MAX_DEPTH = 32;
/**
 * Output nodes one tool schema may expand to. Gemini's `parameters` has no references, so `$ref`s are
 * inlined, and definitions that each refer to the next several times grow as fanOut^depth: 14 of them
 * with 4 references each are 2.3 KB of JSON and 4^14 nodes. Real tool schemas stay in the hundreds.
 */
export const MAX_SCHEMA_NODES = 2000;
const CUT_NOTE = `Part of a schema too large to send (over ${MAX_SCHEMA_NODES} nodes after expanding $ref).`;
const HUGE = Number.MAX_SAFE_INTEGER; // Zod's "no bound" for integers: a no-op limit, left out.
const TYPES: Record<string, NonNullable<GeminiSchema['type']>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

/**
 * Gemini `parameters` for a tool's input_schema, or undefined for a tool without parameters (Gemini
 * rejects an OBJECT with no properties). Whitelists the keys of §3.3: every other key is dropped.
 */
export function toGeminiParameters(schema: JsonSchema): { parameters: GeminiSchema | undefined; warnings: string[] } {
  const ctx: Ctx = { root: schema, warnings: [], refs: [], depth: 0, budget: { used: 0 }, memo: new Map() };
  const out = convert(schema, ctx);
  const empty = out.type === 'OBJECT' && (out.properties === undefined || Object.keys(out.properties).length === 0);
  return { parameters: empty ? undefined : out, warnings: [...new Set(ctx.warnings)] };
}

function convert(input: unknown, ctx: Ctx): GeminiSchema {
  if (ctx.budget.used >= MAX_SCHEMA_NODES) {
    ctx.warnings.push(`schema too large after expanding $ref (over ${MAX_SCHEMA_NODES} nodes): the rest is sent as free-form text`);
    return anyValue(CUT_NOTE);
  }
  ctx.budget.used++;
  if (!isObj(input)) return anyValue(undefined); // `true` / `{}`: any value
  if (ctx.depth > MAX_DEPTH) {
    ctx.warnings.push('schema nested too deeply: the rest is sent as a free-form string');
    return anyValue(undefined);
  }
  let node = input;
  // $ref: inline local references; a cycle becomes a described free-form object.
  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    const { $ref: _ref, ...rest } = node;
    const target = resolveRef(ctx.root, ref);
    if (target === undefined || ctx.refs.includes(ref)) {
      ctx.warnings.push(target === undefined ? `unresolved $ref ${ref} sent as a string` : `recursive $ref ${ref} cut off`);
      return anyValue(typeof rest.description === 'string' ? rest.description : undefined);
    }
    return inlineRef(ref, { ...target, ...rest }, rest, ctx);
  }
  if (Array.isArray(node.allOf)) node = mergeAllOf(node);
  if (node.const !== undefined && node.enum === undefined) node = { ...node, enum: [node.const] };

  const declared = Array.isArray(node.type)
    ? node.type.filter((t): t is string => typeof t === 'string')
    : typeof node.type === 'string'
      ? [node.type]
      : [];
  const nullable = declared.includes('null') || node.nullable === true || (Array.isArray(node.enum) && node.enum.includes(null));
  const types = declared.filter((t) => t !== 'null');
  const alternatives = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;

  let out: GeminiSchema;
  if (types.length > 1) {
    // ["string","number"]: Gemini's proto has one type, so list the variants (as js-genai does).
    out = { anyOf: types.map((t) => nested({ ...node, type: t, description: undefined, anyOf: undefined, oneOf: undefined }, ctx)) };
  } else if (alternatives !== undefined && types.length === 0) {
    const variants = alternatives.filter((v) => !(isObj(v) && v.type === 'null'));
    const hadNull = variants.length !== alternatives.length;
    if (variants.length === 1) out = nested({ ...node, anyOf: undefined, oneOf: undefined, ...(variants[0] as Obj) }, ctx);
    else out = { anyOf: variants.map((v) => nested(v, ctx)) };
    if (hadNull) out.nullable = true;
  } else {
    out = typed(node, types[0] ?? inferType(node), ctx);
  }
  common(node, out);
  if (nullable) out.nullable = true;
  return out;
}

function nested(node: unknown, ctx: Ctx): GeminiSchema {
  return convert(node, { ...ctx, depth: ctx.depth + 1 });
}

/**
 * A `$ref` converted once per place: the same reference at the same depth under the same enclosing
 * refs always converts to the same schema, so a repeat is a copy (callers may amend what they get)
 * that still counts its nodes against the budget. Past the budget it is converted again, and cut.
 */
function inlineRef(ref: string, merged: Obj, rest: Obj, ctx: Ctx): GeminiSchema {
  const key = `${ctx.depth}\u0000${ctx.refs.join('\u0000')}\u0000${ref}\u0000${Object.keys(rest).length > 0 ? JSON.stringify(rest) : ''}`;
  ctx.budget.used--; // the $ref node itself is not output: its target takes its place
  const hit = ctx.memo.get(key);
  if (hit && ctx.budget.used + hit.nodes <= MAX_SCHEMA_NODES) {
    ctx.budget.used += hit.nodes;
    return structuredClone(hit.schema);
  }
  const before = ctx.budget.used;
  const schema = nested(merged, { ...ctx, refs: [...ctx.refs, ref] });
  if (!hit) ctx.memo.set(key, { schema: structuredClone(schema), nodes: ctx.budget.used - before });
  return schema;
}

function typed(node: Obj, type: string | undefined, ctx: Ctx): GeminiSchema {
  const t: GeminiSchema['type'] | undefined = type === undefined ? undefined : TYPES[type];
  switch (t) {
    case 'STRING': {
      const out: GeminiSchema = { type: 'STRING' };
      // Only `enum` and `date-time` pass as string formats; `uri`, `email`, `uuid` are rejected.
      if (node.format === 'date-time' || node.format === 'enum') out.format = node.format;
      copyNumber(node, out, 'minLength');
      copyNumber(node, out, 'maxLength');
      if (typeof node.pattern === 'string') out.pattern = node.pattern;
      if (Array.isArray(node.enum))
        out.enum = node.enum.filter((v) => v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      return out;
    }
    case 'NUMBER':
    case 'INTEGER': {
      const out: GeminiSchema = { type: t };
      if (typeof node.format === 'string' && ['int32', 'int64', 'float', 'double'].includes(node.format)) out.format = node.format;
      const step = t === 'INTEGER' ? 1 : 0; // exclusiveMinimum:0 on an integer is minimum:1; on a number, 0 (slightly looser)
      let min = typeof node.minimum === 'number' ? node.minimum : undefined;
      let max = typeof node.maximum === 'number' ? node.maximum : undefined;
      if (typeof node.exclusiveMinimum === 'number') min = Math.max(min ?? -Infinity, Math.floor(node.exclusiveMinimum) + step);
      else if (node.exclusiveMinimum === true && min !== undefined) min += step;
      if (typeof node.exclusiveMaximum === 'number') max = Math.min(max ?? Infinity, Math.ceil(node.exclusiveMaximum) - step);
      else if (node.exclusiveMaximum === true && max !== undefined) max -= step;
      if (min !== undefined && min > -HUGE) out.minimum = min;
      if (max !== undefined && max < HUGE) out.maximum = max;
      enumToDescription(node, out);
      return out;
    }
    case 'BOOLEAN': {
      const out: GeminiSchema = { type: 'BOOLEAN' };
      enumToDescription(node, out);
      return out;
    }
    case 'ARRAY': {
      const out: GeminiSchema = { type: 'ARRAY' };
      const items = Array.isArray(node.items)
        ? { anyOf: node.items }
        : Array.isArray(node.prefixItems)
          ? { anyOf: node.prefixItems }
          : node.items;
      out.items = nested(items ?? {}, ctx);
      copyNumber(node, out, 'minItems');
      copyNumber(node, out, 'maxItems');
      return out;
    }
    case 'OBJECT': {
      const out: GeminiSchema = { type: 'OBJECT' };
      const props = node.properties;
      if (isObj(props)) {
        out.properties = {};
        for (const [name, prop] of Object.entries(props)) out.properties[name] = nested(prop, ctx);
        const required = Array.isArray(node.required)
          ? node.required.filter((r): r is string => typeof r === 'string' && Object.hasOwn(props, r))
          : [];
        if (required.length > 0) out.required = required;
      }
      copyNumber(node, out, 'minProperties');
      copyNumber(node, out, 'maxProperties');
      return out;
    }
    case 'NULL':
    case undefined:
      return anyValue(undefined);
  }
}

/** A value of any type: Gemini has no "any", so it becomes a string the model may fill with JSON. */
function anyValue(description: string | undefined): GeminiSchema {
  const note = 'Any JSON value, written as text.';
  return { type: 'STRING', description: description ? `${description} (${note})` : note };
}

function inferType(node: Obj): string | undefined {
  if (isObj(node.properties)) return 'object';
  if (node.items !== undefined || node.prefixItems !== undefined) return 'array';
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter((v) => v !== null);
    if (values.every((v) => typeof v === 'number')) return values.every(Number.isInteger) ? 'integer' : 'number';
    if (values.every((v) => typeof v === 'boolean')) return 'boolean';
    return 'string';
  }
  return undefined;
}

function common(node: Obj, out: GeminiSchema): void {
  if (typeof node.title === 'string' && out.title === undefined) out.title = node.title;
  if (typeof node.description === 'string') {
    // anyValue() already holds the description with its note.
    if (out.description === undefined) out.description = node.description;
    else if (!out.description.startsWith(node.description)) out.description = `${node.description} ${out.description}`;
  }
  if (node.default !== undefined && out.anyOf === undefined) out.default = node.default;
  if (node.example !== undefined) out.example = node.example;
  else if (Array.isArray(node.examples) && node.examples.length > 0) out.example = node.examples[0];
}

/** Gemini accepts `enum` only on STRING: other enums become a sentence in the description. */
function enumToDescription(node: Obj, out: GeminiSchema): void {
  if (!Array.isArray(node.enum)) return;
  const values = node.enum.filter((v) => v !== null).map((v) => JSON.stringify(v));
  out.description = `${typeof node.description === 'string' ? node.description + ' ' : ''}Allowed values: ${values.join(', ')}.`;
}

function copyNumber(
  node: Obj,
  out: GeminiSchema,
  key: 'minLength' | 'maxLength' | 'minItems' | 'maxItems' | 'minProperties' | 'maxProperties',
): void {
  const v = node[key];
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < HUGE) out[key] = v;
}

function resolveRef(root: Obj, ref: string): Obj | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return isObj(cur) ? cur : undefined;
}

/** allOf: properties and required are united; other keys, first one wins. */
function mergeAllOf(node: Obj): Obj {
  const { allOf, ...rest } = node;
  const merged: Obj = { ...rest };
  for (const part of allOf as unknown[]) {
    if (!isObj(part)) continue;
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties' && isObj(v)) merged.properties = { ...(isObj(merged.properties) ? merged.properties : {}), ...v };
      else if (k === 'required' && Array.isArray(v)) merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...v];
      else if (merged[k] === undefined) merged[k] = v;
    }
  }
  return merged;
}
