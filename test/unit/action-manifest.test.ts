import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUT_KEYS } from '../../src/core/config.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};
const readme = readFileSync('README.md', 'utf8');

describe('action.yml', () => {
  it('declares exactly the inputs the config schema reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_KEYS].sort());
  });
  it('runs the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
  it('documents every input and output', () => {
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    for (const [name, output] of Object.entries(action.outputs)) expect((output as { description: string }).description, name).toBeTruthy();
  });
  it('declares no defaults except the tokens, so the repository file can set them', () => {
    const withDefault = Object.entries(action.inputs)
      .filter(([, i]) => i.default !== undefined)
      .map(([n]) => n);
    expect(withDefault).toEqual(['token', 'workflow-token']);
    // The workflow token, so that agentloop can tell it acts as github-actions[bot] without asking.
    expect(action.inputs['workflow-token']?.default).toBe(action.inputs.token?.default);
  });
});

// The README's inputs table is generated from action.yml: test/generated.test.ts fails when it is stale.
describe('README', () => {
  it('keeps the two commands that work on a fresh machine', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
