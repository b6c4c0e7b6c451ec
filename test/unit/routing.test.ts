import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { type RoutedAgent, type RoutingConfig, routeFor } from '../../src/core/routing.js';

const defaults: RoutingConfig = {
  agent: 'claude',
  agentCommand: '',
  agentArgs: ['--append-system-prompt', 'Be brief.'],
  model: 'claude-sonnet-4-5',
  routes: [],
};

const routes: RoutingConfig['routes'] = [
  { labels: ['security'], agent: 'claude', model: 'claude-opus-4-1', appendix: 'Add a regression test.' },
  { labels: ['docs', 'Documentation'], agent: 'command', agentCommand: 'node scripts/docs-agent.js' },
  { labels: ['big'], model: 'claude-opus-4-1' },
  { labels: ['codex'], agent: 'codex' },
  { labels: ['security-lite'], agent: 'gemini', model: 'gemini-2.5-pro', agentArgs: ['--include-directories', 'lib'] },
];

const base: RoutedAgent = {
  agent: 'claude',
  agentCommand: '',
  agentArgs: ['--append-system-prompt', 'Be brief.'],
  model: 'claude-sonnet-4-5',
  appendix: '',
};

describe('routeFor', () => {
  it.each<[string, RoutingConfig, string[], RoutedAgent]>([
    ['no routes: the defaults', defaults, ['security'], base],
    ['no matching label: the defaults', { ...defaults, routes }, ['bug', 'loop/code'], base],
    ['no labels at all: the defaults', { ...defaults, routes }, [], base],
    [
      'a match: agent, model and appendix from the route, args kept (same agent)',
      { ...defaults, routes },
      ['bug', 'security'],
      { ...base, model: 'claude-opus-4-1', appendix: 'Add a regression test.', route: 0 },
    ],
    [
      'first match wins (docs before big)',
      { ...defaults, routes },
      ['big', 'docs'],
      { agent: 'command', agentCommand: 'node scripts/docs-agent.js', agentArgs: [], model: '', appendix: '', route: 1 },
    ],
    [
      'labels compare case-insensitively, both ways',
      { ...defaults, routes },
      ['DOCUMENTATION'],
      { agent: 'command', agentCommand: 'node scripts/docs-agent.js', agentArgs: [], model: '', appendix: '', route: 1 },
    ],
    [
      'a route with only a model keeps the default agent and its args',
      { ...defaults, routes },
      ['Big'],
      { ...base, model: 'claude-opus-4-1', route: 2 },
    ],
    [
      'another agent without a model uses its own default model and no inherited args',
      { ...defaults, routes },
      ['codex'],
      { ...base, agent: 'codex', agentArgs: [], model: '', route: 3 },
    ],
    [
      'another agent with its own model and args',
      { ...defaults, routes },
      ['security-lite'],
      { ...base, agent: 'gemini', model: 'gemini-2.5-pro', agentArgs: ['--include-directories', 'lib'], route: 4 },
    ],
    [
      'naming the default agent again is not a switch',
      { ...defaults, routes: [{ labels: ['x'], agent: 'claude' }] },
      ['x'],
      { ...base, route: 0 },
    ],
  ])('%s', (_name, config, labels, expected) => {
    expect(routeFor(config, labels)).toEqual(expected);
  });

  it('does not share arrays with the config', () => {
    const routed = routeFor(defaults, []);
    routed.agentArgs.push('--x');
    expect(defaults.agentArgs).toEqual(['--append-system-prompt', 'Be brief.']);
  });

  it('routes a parsed configuration file', () => {
    const config = parseConfig({
      inputs: { token: 't', agent: 'claude' },
      fileText: [
        'routes:',
        '  - labels: [security]          # the issue has ANY of these labels',
        '    agent: claude',
        '    model: claude-opus-4-1',
        '    appendix: "Treat this as a security fix: add a regression test and explain the threat in the PR."',
        '  - labels: [docs]',
        '    agent: command',
        '    agent-command: node scripts/docs-agent.js',
        '    agent-args: --fast --dry',
      ].join('\n'),
    });
    expect(routeFor(config, ['Security'])).toEqual({
      agent: 'claude',
      agentCommand: '',
      agentArgs: [],
      model: 'claude-opus-4-1',
      appendix: 'Treat this as a security fix: add a regression test and explain the threat in the PR.',
      route: 0,
    });
    expect(routeFor(config, ['docs'])).toMatchObject({
      agent: 'command',
      agentCommand: 'node scripts/docs-agent.js',
      agentArgs: ['--fast', '--dry'],
      route: 1,
    });
    expect(routeFor(config, ['bug'])).toEqual({ agent: 'claude', agentCommand: '', agentArgs: [], model: '', appendix: '' });
  });
});
