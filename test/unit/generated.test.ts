// The generated files are committed: regenerate them in memory and compare, so a change to action.yml or
// to the config schema without `npm run generate` fails the suite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  actionInputs,
  configJsonSchema,
  generate,
  INPUTS_END,
  INPUTS_START,
  README_FILE,
  SCHEMA_FILE,
  spliceInputs,
  splitDefault,
} from '../../scripts/generate.js';
import { CONFIG_KEYS, FIELDS } from '../../src/core/config.js';

const actionYml = readFileSync('action.yml', 'utf8');

describe('generated files are up to date', () => {
  it.each(generate('.').map((f) => [f.path, f.content] as const))('%s', (path, content) => {
    expect(readFileSync(path, 'utf8'), `${path} is stale: run \`npm run generate\` and commit the result`).toBe(content);
  });
});

describe('the README inputs table', () => {
  it('lists every action.yml input, in order, between the markers', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    const table = readme.slice(readme.indexOf(INPUTS_START), readme.indexOf(INPUTS_END));
    const names = [...table.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]);
    expect(names).toEqual(actionInputs(actionYml).map(([name]) => name));
    expect(names.length).toBeGreaterThan(20);
  });

  it('takes the default from `default:` or the "Default: …." sentence, and keeps the rest of the description', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an action input whose default is a workflow expression
    expect(splitDefault({ description: 'A token.', default: '${{ github.token }}' })).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the table shows that workflow expression as code
      default: '`${{ github.token }}`',
      description: 'A token.',
    });
    expect(splitDefault({ description: 'Which agent. Default: command. Routes may change it.' })).toEqual({
      default: 'command',
      description: 'Which agent. Routes may change it.',
    });
    expect(splitDefault({ description: 'Where prompts live. Default: .agentloop/prompts.' })).toEqual({
      default: '.agentloop/prompts',
      description: 'Where prompts live.',
    });
    expect(splitDefault({ description: 'A workflow. Default: agentloop-plan.yml.' })).toEqual({
      default: 'agentloop-plan.yml',
      description: 'A workflow.',
    });
    expect(splitDefault({ description: 'Required when agent is command.' })).toEqual({
      default: '—',
      description: 'Required when agent is command.',
    });
  });

  it('refuses a README without the markers instead of writing the table somewhere else', () => {
    expect(() => spliceInputs('# agentloop\n\n## Inputs\n', '| input |')).toThrow(/markers are missing/);
  });
});

describe(`the JSON Schema for .github/agentloop.yml (${SCHEMA_FILE})`, () => {
  const schema = configJsonSchema(actionYml) as { properties: Record<string, { description?: string }>; additionalProperties: boolean };

  it('describes exactly the keys the repository file accepts, and refuses any other', () => {
    expect(Object.keys(schema.properties)).toEqual(CONFIG_KEYS.filter((k) => FIELDS[k].from !== 'input'));
    expect(schema.properties).not.toHaveProperty('token');
    expect(schema.additionalProperties).toBe(false);
    for (const [key, property] of Object.entries(schema.properties)) expect(property.description, key).toMatch(/\w/);
  });

  it('keeps the ranges and choices the zod schema enforces', () => {
    expect(JSON.stringify(schema.properties['max-open-prs'])).toContain('"type":"integer","minimum":1,"maximum":20');
    expect(JSON.stringify(schema.properties['merge-method'])).toContain('"enum":["merge","squash","rebase"]');
  });
});
