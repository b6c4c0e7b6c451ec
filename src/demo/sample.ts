// The demo's sample repository: a tiny package whose test fails until add() is fixed, its CI, and the
// script the deterministic agent follows (a first fix that CI proves incomplete, then the real one).
import type { AgentScript, ModelScript } from '@agentloop/embedded-forge';

export const SAMPLE_FILES: Record<string, string> = {
  'package.json': '{ "name": "calc", "type": "module", "scripts": { "test": "node test.js" } }\n',
  'README.md': '# calc\n\nA tiny calculator.\n',
  'src/add.js': '// Adds two numbers.\nexport const add = (a, b) => a - b;\n',
  'test.js': [
    "import assert from 'node:assert/strict';",
    "import { add } from './src/add.js';",
    '',
    'assert.equal(add(2, 3), 5, "add(2, 3)");',
    "assert.equal(add('2', '3'), 5, \"add('2', '3') (numbers typed into a form arrive as strings)\");",
    "console.log('all tests passed');",
    '',
  ].join('\n'),
  '.github/workflows/ci.yml': [
    'name: CI',
    'on:',
    '  push:',
    '    branches: [main]',
    '  pull_request:',
    'permissions:',
    '  contents: read',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 5',
    '    steps:',
    '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
    '        with:',
    '          persist-credentials: false',
    '      - run: node test.js',
    '',
  ].join('\n'),
  '.github/agentloop.yml': 'auto-merge: true\nmerge-method: squash\n',
};

export const SAMPLE_ISSUE = {
  title: 'add() subtracts instead of adding',
  body: '`add(2, 3)` returns `-1`. It should return `5`, and it should also work for numbers typed into a form (`"2"`, `"3"`).',
};

/** What the agent answers to a breakdown of the sample issue: three child issues, as JSON in a fenced block. */
export const SAMPLE_BREAKDOWN = [
  {
    title: 'Make add() return the sum',
    body: '`add()` in `src/add.js` returns `a - b`. Return `a + b`.\n\nDone when: `node test.js` passes `add(2, 3) === 5`.',
    labels: ['bug'],
  },
  {
    title: 'Accept numeric strings in add()',
    body: 'Convert both arguments with `Number()`, so `add("2", "3")` is `5` (after: Make add() return the sum).',
  },
  { title: 'Document add() in the README', body: 'Say what add() accepts and returns.', labels: ['documentation'] },
];

export const SAMPLE_SCRIPT: AgentScript = {
  breakdown: ['```json', JSON.stringify(SAMPLE_BREAKDOWN, null, 2), '```'].join('\n'),
  plan: [
    '### Summary',
    '`add()` in `src/add.js` subtracts. Make it add, and accept numeric strings.',
    '',
    '### Files to change',
    '- `src/add.js`: return the sum of both arguments as numbers.',
    '',
    '### Steps',
    '1. Replace `a - b` with a sum of the two arguments converted to numbers.',
    '',
    '### Risks',
    '- Callers that relied on the subtraction (none found).',
    '',
    '### Test plan',
    '`node test.js` covers numbers and numeric strings.',
  ].join('\n'),
  code: {
    files: { 'src/add.js': '// Adds two numbers.\nexport const add = (a, b) => a + b;\n' },
    summary: 'add() now adds its arguments.',
  },
  'fix-ci': [
    {
      files: { 'src/add.js': '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n' },
      summary: "Convert both arguments to numbers: add('2', '3') was concatenating to '23'.",
    },
  ],
  'address-review': [
    {
      files: {
        'src/add.js': '// Adds two numbers (numeric strings too).\nexport const add = (left, right) => Number(left) + Number(right);\n',
      },
      summary: 'Named the parameters `left` and `right`, as the review asked.',
    },
  ],
};

/**
 * The same story told to a real agent CLI by the scripted model server: the CLI's own tools read the
 * file, edit it and run the tests; the final texts are the plan and the summaries. Conversations are
 * told apart by the first words of agentloop's built-in prompts.
 */
export const SAMPLE_MODEL_SCRIPT: ModelScript = {
  conversations: [
    { match: '^You are planning', turns: [{ actions: [{ read: 'src/add.js' }] }, { text: SAMPLE_SCRIPT.plan as string }] },
    {
      match: '^You are implementing',
      turns: [
        { actions: [{ read: 'src/add.js' }] },
        { actions: [{ edit: 'src/add.js', old: 'a - b', new: 'a + b' }] },
        { text: 'add() now adds its arguments.' },
      ],
    },
    {
      match: '^The CI of pull request',
      turns: [
        { actions: [{ read: 'src/add.js' }] },
        {
          actions: [
            {
              edit: 'src/add.js',
              old: '// Adds two numbers.\nexport const add = (a, b) => a + b;',
              new: '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);',
            },
          ],
        },
        { actions: [{ bash: 'node test.js' }] },
        { text: "Convert both arguments to numbers: add('2', '3') was concatenating to '23'." },
      ],
    },
  ],
};
