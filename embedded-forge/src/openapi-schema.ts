// Checking values against the spec's schemas, with oneOf/anyOf/allOf folded into one shape. The checks
// are built for one spec's reference resolver: GitHub's OpenAPI description (the exports below) or
// Forgejo's Swagger 2.0 description (swagger.ts, via schemaChecker).
import { deref as githubDeref, type Schema } from './openapi-spec.js';

export interface SchemaChecker {
  shapeOf(input: Schema): Shape;
  checkValue(schemas: Schema[], value: unknown, where: string, problems: string[]): void;
  checkParamString(schema: Schema | undefined, raw: string, where: string, problems: string[]): void;
}

export interface SchemaCheckerOptions {
  /** Accept null for any value (Swagger 2.0 has no `nullable`; Go answers null for nil pointers and slices). */
  nullAlways?: boolean;
}

/** A schema with oneOf/anyOf/allOf folded in: a property declared in any branch is accepted. */
export interface Shape {
  types: Set<string>;
  nullable: boolean;
  /** undefined = any value. */
  enum: unknown[] | undefined;
  properties: Map<string, Schema[]>;
  /** Some branch declares properties or forbids extras: unknown keys are then reported. */
  closed: boolean;
  /** Some branch allows extra keys. */
  open: boolean;
  /** Alternatives: satisfied when every name of one alternative is present. */
  required: string[][];
  items: Schema[];
}

/** The checks for one spec, resolving `$ref`s with `deref`. */
export function schemaChecker(deref: <T extends { $ref?: string }>(node: T) => T, opts: SchemaCheckerOptions = {}): SchemaChecker {
  function shapeOf(input: Schema): Shape {
    const s = deref(input);
    const shape: Shape = {
      types: new Set(s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]),
      nullable: s.nullable === true || (Array.isArray(s.type) && s.type.includes('null')),
      enum: s.enum,
      properties: new Map(Object.entries(s.properties ?? {}).map(([k, v]) => [k, [v]])),
      closed: s.properties !== undefined || s.additionalProperties === false,
      // A bare `type: object` (no properties) is free-form, even as one branch among others.
      open:
        (s.additionalProperties !== undefined && s.additionalProperties !== false) ||
        (s.properties === undefined && s.additionalProperties === undefined && s.type === 'object' && !s.allOf && !s.oneOf && !s.anyOf),
      required: s.required?.length ? [s.required] : [],
      items: s.items ? [s.items] : [],
    };
    for (const branch of s.allOf ?? []) merge(shape, shapeOf(branch), 'all');
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) {
      const alt = alternatives.map(shapeOf).reduce((a, b) => {
        merge(a, b, 'any');
        return a;
      });
      merge(shape, alt, 'all');
    }
    return shape;
  }

  function merge(into: Shape, from: Shape, mode: 'all' | 'any'): void {
    // Types: alternatives widen; allOf branches without a type do not narrow.
    for (const t of from.types) into.types.add(t);
    into.nullable ||= from.nullable;
    if (mode === 'any') into.enum = into.enum && from.enum ? [...into.enum, ...from.enum] : undefined;
    else into.enum ??= from.enum;
    for (const [name, schemas] of from.properties) into.properties.set(name, [...(into.properties.get(name) ?? []), ...schemas]);
    into.closed ||= from.closed;
    into.open ||= from.open;
    if (mode === 'any') {
      // Any branch's requirement suffices; a branch requiring nothing makes the whole optional.
      into.required = into.required.length === 0 || from.required.length === 0 ? [] : [...into.required, ...from.required];
    } else if (from.required.length) {
      into.required = into.required.length ? into.required.flatMap((a) => from.required.map((b) => [...a, ...b])) : from.required;
    }
    into.items.push(...from.items);
  }

  function jsonType(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
    if (typeof value === 'bigint') return 'integer';
    return typeof value; // string, boolean, object
  }

  function typeAccepts(types: Set<string>, value: unknown): boolean {
    if (types.size === 0) return true;
    const t = jsonType(value);
    return types.has(t) || (t === 'integer' && types.has('number'));
  }

  /** Push problems for `value` against `schema`; `where` names the value in messages (e.g. `body.labels[0]`). */
  function checkValue(schemas: Schema[], value: unknown, where: string, problems: string[]): void {
    // Several candidate schemas (a property declared in several branches): one must accept the value.
    if (schemas.length > 1) {
      const attempts = schemas.map((s) => {
        const p: string[] = [];
        checkValue([s], value, where, p);
        return p;
      });
      if (!attempts.some((p) => p.length === 0)) problems.push(...attempts.reduce((a, b) => (b.length < a.length ? b : a)));
      return;
    }
    if (schemas.length === 0) return;
    const shape = shapeOf(schemas[0]!);
    if (value === null) {
      if (!shape.nullable && !opts.nullAlways && shape.types.size > 0) problems.push(`${where}: null is not allowed`);
      return;
    }
    if (!typeAccepts(shape.types, value)) {
      problems.push(`${where}: expected ${[...shape.types].join(' | ')}, got ${jsonType(value)}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(shape.enum)}`);
      return;
    }
    if (Array.isArray(value)) {
      if (shape.items.length) for (const [i, v] of value.entries()) checkValue(shape.items, v, `${where}[${i}]`, problems);
      return;
    }
    if (typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      for (const [key, v] of Object.entries(obj)) {
        const declared = shape.properties.get(key);
        if (declared) checkValue(declared, v, `${where}.${key}`, problems);
        else if (shape.closed && !shape.open) problems.push(`${where}.${key}: not declared by the operation`);
      }
      if (shape.required.length && !shape.required.some((names) => names.every((n) => n in obj))) {
        const missing = shape.required[0]!.filter((n) => !(n in obj));
        problems.push(`${where}: missing required ${missing.map((n) => `"${n}"`).join(', ')}`);
      }
    }
  }

  /** Query/path parameters arrive as strings: check what a string can show (integer, boolean, enum). */
  function checkParamString(schema: Schema | undefined, raw: string, where: string, problems: string[]): void {
    if (!schema) return;
    const shape = shapeOf(schema);
    const types = shape.types;
    if (types.size === 1 && types.has('integer') && !/^-?\d+$/.test(raw))
      problems.push(`${where}: expected integer, got ${JSON.stringify(raw)}`);
    else if (types.size === 1 && types.has('boolean') && raw !== 'true' && raw !== 'false')
      problems.push(`${where}: expected boolean, got ${JSON.stringify(raw)}`);
    else if (shape.enum && !shape.enum.map(String).includes(raw))
      problems.push(`${where}: ${JSON.stringify(raw)} is not one of ${JSON.stringify(shape.enum)}`);
  }
  return { shapeOf, checkValue, checkParamString };
}

const github = schemaChecker(githubDeref);
export const shapeOf = github.shapeOf;
export const checkValue = github.checkValue;
export const checkParamString = github.checkParamString;
