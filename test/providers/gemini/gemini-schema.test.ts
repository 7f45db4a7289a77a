// Tool schema conversion for Gemini: parametersJsonSchema (default) and the `parameters` sanitizer,
// checked against Claude Code's real tool schemas and the rejected keys of docs/protocols.md §3.3.

import { describe, expect, it } from 'vitest';
import type { Tool } from '../../../proxy/wire/types.ts';
import { toGeminiJsonSchema, toGeminiParameters } from '../../../proxy/providers/gemini/gemini-schema.ts';
import type { GeminiSchema } from '../../../proxy/providers/gemini/gemini-types.ts';
import { fixture } from '../../helpers/fake-upstream.ts';

const tools = (JSON.parse(fixture('claude-code-2.1.332-tool-loop.json')) as { body: { tools: Tool[] } }[])[0].body.tools;

/** Keys Gemini's `parameters` answers 400 "Unknown name" for (§3.3). */
const REJECTED = [
  '$schema',
  'additionalProperties',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'const',
  'propertyNames',
  '$ref',
  '$defs',
  'definitions',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'prefixItems',
  'uniqueItems',
  'multipleOf',
  'contains',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentSchema',
  'examples',
];
const ALLOWED = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'propertyOrdering',
  'anyOf',
  'default',
  'example',
]);
const GEMINI_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT']);

/** Every problem in a sanitised schema: a rejected or unknown key, a node without a type, bad enum/format. */
function problems(node: GeminiSchema, path = '$'): string[] {
  const out: string[] = [];
  for (const key of Object.keys(node)) if (REJECTED.includes(key) || !ALLOWED.has(key)) out.push(`${path}.${key} is not allowed`);
  if (node.anyOf) node.anyOf.forEach((v, i) => out.push(...problems(v, `${path}.anyOf[${i}]`)));
  else if (!node.type || !GEMINI_TYPES.has(node.type)) out.push(`${path} has no valid type`);
  if (node.type === 'ARRAY' && !node.items) out.push(`${path} is an array without items`);
  if (node.enum && (node.type !== 'STRING' || node.enum.some((v) => typeof v !== 'string'))) out.push(`${path}.enum is not a string enum`);
  if (node.format && node.type === 'STRING' && !['enum', 'date-time'].includes(node.format)) out.push(`${path}.format ${node.format}`);
  for (const [name, prop] of Object.entries(node.properties ?? {})) out.push(...problems(prop, `${path}.properties.${name}`));
  if (node.items) out.push(...problems(node.items, `${path}.items`));
  return out;
}

function hasKeyDeep(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => hasKeyDeep(v, key));
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => k === key || hasKeyDeep(v, key));
}

describe('toGeminiJsonSchema', () => {
  it('strips $schema from every Claude Code tool and keeps the rest of the schema as it was', () => {
    expect(tools.some((t) => hasKeyDeep(t.input_schema, '$schema'))).toBe(true);
    for (const tool of tools) {
      const out = toGeminiJsonSchema(tool.input_schema);
      expect(hasKeyDeep(out, '$schema')).toBe(false);
      const { $schema: _drop, ...rest } = tool.input_schema;
      expect(out).toEqual(rest);
    }
  });

  it('keeps a property that is named $schema and does not touch its input', () => {
    const input = { $schema: 'x', type: 'object', properties: { $schema: { type: 'string' } } };
    const copy = structuredClone(input);
    expect(toGeminiJsonSchema(input)).toEqual({ type: 'object', properties: { $schema: { type: 'string' } } });
    expect(input).toEqual(copy);
  });
});

describe('toGeminiParameters (the OpenAPI-subset sanitizer)', () => {
  it('leaves none of the rejected keys and a type on every node, for every Claude Code tool', () => {
    const withProblems = tools
      .filter((t) => !t.defer_loading)
      .flatMap((t) => {
        const { parameters } = toGeminiParameters(t.input_schema);
        return parameters ? problems(parameters, t.name) : [];
      });
    expect(withProblems).toEqual([]);
  });

  it('keeps every property, required list and description of Read', () => {
    const read = tools.find((t) => t.name === 'Read')!;
    const props = read.input_schema.properties as Record<string, { description?: string }>;
    const { parameters } = toGeminiParameters(read.input_schema);
    expect(Object.keys(parameters!.properties!)).toEqual(Object.keys(props));
    expect(parameters!.required).toEqual(read.input_schema.required);
    for (const [k, v] of Object.entries(props)) expect(parameters!.properties![k].description).toBe(v.description);
  });

  it('turns exclusiveMinimum 0 on an integer into minimum 1 and drops the no-op 2^53-1 maximum', () => {
    const { parameters } = toGeminiParameters({
      type: 'object',
      properties: { limit: { type: 'integer', exclusiveMinimum: 0, maximum: 9007199254740991 } },
    });
    expect(parameters!.properties!.limit).toEqual({ type: 'INTEGER', minimum: 1 });
  });

  it('gives the untyped Workflow.args property a type', () => {
    const workflow = tools.find((t) => t.name === 'Workflow')!;
    expect((workflow.input_schema.properties as Record<string, object>).args).not.toHaveProperty('type');
    const { parameters } = toGeminiParameters(workflow.input_schema);
    expect(parameters!.properties!.args.type).toBe('STRING');
  });

  it('turns type arrays with null into nullable and several types into anyOf', () => {
    const { parameters } = toGeminiParameters({
      type: 'object',
      properties: { a: { type: ['string', 'null'] }, b: { type: ['string', 'integer'] } },
    });
    expect(parameters!.properties!.a).toEqual({ type: 'STRING', nullable: true });
    expect(parameters!.properties!.b).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] });
  });

  it('keeps only enum/date-time string formats, makes enums strings, and const an enum', () => {
    const { parameters } = toGeminiParameters({
      type: 'object',
      properties: {
        url: { type: 'string', format: 'uri' },
        when: { type: 'string', format: 'date-time' },
        level: { enum: ['low', 'high'] },
        kind: { const: 'fixed' },
        n: { type: 'integer', enum: [1, 2] },
      },
    });
    const p = parameters!.properties!;
    expect(p.url).toEqual({ type: 'STRING' });
    expect(p.when).toEqual({ type: 'STRING', format: 'date-time' });
    expect(p.level).toEqual({ type: 'STRING', enum: ['low', 'high'] });
    expect(p.kind).toEqual({ type: 'STRING', enum: ['fixed'] });
    expect(p.n).toEqual({ type: 'INTEGER', description: 'Allowed values: 1, 2.' });
  });

  it('inlines local $ref, merges allOf, maps oneOf to anyOf and gives an array without items some items', () => {
    const { parameters, warnings } = toGeminiParameters({
      type: 'object',
      $defs: { Point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      properties: {
        p: { $ref: '#/$defs/Point' },
        both: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } } },
            { properties: { b: { type: 'boolean' } }, required: ['b'] },
          ],
        },
        either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        list: { type: 'array' },
      },
    });
    const p = parameters!.properties!;
    expect(p.p).toEqual({ type: 'OBJECT', properties: { x: { type: 'NUMBER' } }, required: ['x'] });
    expect(p.both).toEqual({ type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } }, required: ['b'] });
    expect(p.either).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] });
    expect(p.list.items?.type).toBe('STRING');
    expect(problems(parameters!)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('cuts a recursive $ref with a warning instead of looping', () => {
    const { parameters, warnings } = toGeminiParameters({
      type: 'object',
      properties: { tree: { $ref: '#/$defs/Node' } },
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
    });
    expect(problems(parameters!)).toEqual([]);
    expect(warnings.some((w) => w.includes('recursive'))).toBe(true);
  });

  it('declares no parameters for a tool whose object has no properties', () => {
    expect(toGeminiParameters({ type: 'object', properties: {} }).parameters).toBeUndefined();
  });
});
