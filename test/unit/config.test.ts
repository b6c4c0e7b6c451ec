import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/core/config.js';

const base = { token: 'ghs_abc', 'agent-command': 'node agent.js' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: inputs and .github/agentloop.yml through one schema', () => {
  it('applies documented defaults', () => {
    const c = parseConfig({ inputs: base });
    expect(c).toMatchObject({
      agent: 'command',
      labelPrefix: 'loop/',
      maxOpenPrs: 1,
      maxFixAttempts: 2,
      mergeMethod: 'squash',
      dryRun: false,
      agentTimeoutMinutes: 30,
    });
    expect(c.labelNames.plan).toBe('loop/plan');
    expect(c.protectedPaths).toEqual(
      expect.arrayContaining(['.github/**', '.forgejo/**', '.gitea/**', '.agentloop/**', 'CODEOWNERS', '.gitmodules', '.gitattributes']),
    );
  });

  it('parses input strings: booleans, numbers, lists, argv', () => {
    const c = parseConfig({
      inputs: {
        ...base,
        'dry-run': 'true',
        'max-open-prs': '3',
        'allowed-bots': 'renovate[bot], dependabot[bot]',
        'agent-args': '--fast  --x 1',
      },
    });
    expect(c.dryRun).toBe(true);
    expect(c.maxOpenPrs).toBe(3);
    expect(c.allowedBots).toEqual(['renovate[bot]', 'dependabot[bot]']);
    expect(c.agentArgs).toEqual(['--fast', '--x', '1']);
  });

  it('supervisors: logins from an input or the file, the @ optional; anything else names the key and what is allowed', () => {
    expect(parseConfig({ inputs: base }).supervisors).toEqual([]);
    expect(parseConfig({ inputs: { ...base, supervisors: '@maria, ops-lead\n@x.y_z' } }).supervisors).toEqual([
      'maria',
      'ops-lead',
      'x.y_z',
    ]);
    expect(parseConfig({ inputs: base, fileText: 'supervisors: [maria, "@bob"]' }).supervisors).toEqual(['maria', 'bob']);
    for (const bad of ['maria, bad login', '@', '-lead', 'a@b', 'everyone!', `${'x'.repeat(41)}`]) {
      expect(
        problems(() => parseConfig({ inputs: { ...base, supervisors: bad } })),
        bad,
      ).toEqual([expect.stringMatching(/^action input 'supervisors' = .* is not allowed; allowed: a list of logins/)]);
    }
    expect(problems(() => parseConfig({ inputs: base, fileText: 'supervisors: ["@x\\n@y"]' }))[0]).toMatch(
      /^'supervisors' in \.github\/agentloop\.yml = .* is not allowed/,
    );
  });

  it('reads the repository file; inputs win over it', () => {
    const fileText = 'label-prefix: "bot:"\nmax-fix-attempts: 4\nmerge-method: rebase\nlabels:\n  needSupervisor: help-wanted\n';
    const c = parseConfig({ inputs: { ...base, 'merge-method': 'merge' }, fileText });
    expect(c.labelNames.plan).toBe('bot:plan');
    expect(c.labelNames.needSupervisor).toBe('help-wanted');
    expect(c.maxFixAttempts).toBe(4);
    expect(c.mergeMethod).toBe('merge');
  });

  it('names the key, the value and what is allowed', () => {
    const [p] = problems(() => parseConfig({ inputs: { ...base, agent: 'claud' } }));
    expect(p).toContain("'agent'");
    expect(p).toContain('"claud"');
    expect(p).toContain('command, claude');
  });

  it('rejects out-of-range numbers with the range', () => {
    const [p] = problems(() => parseConfig({ inputs: { ...base, 'max-open-prs': '0' } }));
    expect(p).toMatch(/max-open-prs.*"0".*1 to 20/);
  });

  it('reports every bad key at once, from input and file', () => {
    const ps = problems(() =>
      parseConfig({ inputs: { ...base, 'dry-run': 'yes' }, fileText: 'merge-method: fast-forward\nmax-chain: -1\n' }),
    );
    expect(ps).toHaveLength(3);
    expect(ps.join('\n')).toMatch(/dry-run/);
    expect(ps.join('\n')).toMatch(/merge-method.*\.github\/agentloop\.yml/);
  });

  it('rejects unknown keys in the file and lists the allowed ones', () => {
    const [p] = problems(() => parseConfig({ inputs: base, fileText: 'max-open-pr: 2\n' }));
    expect(p).toMatch(/unknown key 'max-open-pr'/);
    expect(p).toMatch(/max-open-prs/);
  });

  it('keeps secrets and per-workflow settings out of the repository file', () => {
    const ps = problems(() => parseConfig({ inputs: base, fileText: 'token: abc\nlane: code\n' }));
    expect(ps.join('\n')).toMatch(/'token' can only be set as an action input/);
    expect(ps.join('\n')).toMatch(/'lane' can only be set as an action input/);
  });

  it('never prints the token value', () => {
    const ps = problems(() => parseConfig({ inputs: { ...base, token: '', agent: 'x' } }));
    expect(ps.join('\n')).not.toContain('ghs_abc');
  });

  it('requires agent-command for the command agent', () => {
    expect(problems(() => parseConfig({ inputs: { token: 't' } })).join()).toMatch(/agent-command.*required/);
    expect(parseConfig({ inputs: { token: 't', agent: 'claude' } }).agent).toBe('claude');
  });

  it('reports broken YAML and non-map files', () => {
    expect(problems(() => parseConfig({ inputs: base, fileText: 'a: [1,' })).join()).toMatch(/not valid YAML/);
    expect(problems(() => parseConfig({ inputs: base, fileText: '- a\n- b' })).join()).toMatch(/must be a map/);
  });

  it('rejects paths that leave the repository', () => {
    expect(problems(() => parseConfig({ inputs: { ...base, 'prompts-dir': '../etc' } })).join()).toMatch(/prompts-dir/);
    expect(problems(() => parseConfig({ inputs: { ...base, 'config-file': '/etc/passwd' } })).join()).toMatch(/config-file/);
  });

  it('parses routes from the repository file (camelCase keys, lists from strings)', () => {
    const fileText = [
      'routes:',
      '  - labels: [security, CVE]',
      '    agent: claude',
      '    model: claude-opus-4-1',
      '    appendix: "Add a regression test."',
      '  - labels: docs',
      '    agent: command',
      '    agent-command: node scripts/docs-agent.js',
      '    agent-args: --fast --dry',
    ].join('\n');
    expect(parseConfig({ inputs: base, fileText }).routes).toEqual([
      { labels: ['security', 'CVE'], agent: 'claude', model: 'claude-opus-4-1', appendix: 'Add a regression test.' },
      { labels: ['docs'], agent: 'command', agentCommand: 'node scripts/docs-agent.js', agentArgs: ['--fast', '--dry'] },
    ]);
    expect(parseConfig({ inputs: base }).routes).toEqual([]);
  });

  it('names the route index and key of a bad route, with the value and what is allowed', () => {
    const fileText = 'routes:\n  - labels: [docs]\n  - labels: [security]\n    agent: gpt\n';
    expect(problems(() => parseConfig({ inputs: base, fileText }))).toEqual([
      `'routes[1].agent' in .github/agentloop.yml = "gpt" is not allowed; allowed: command, claude, codex, gemini, opencode`,
    ]);
  });

  it('reports every bad route key at once: unknown keys, empty or missing labels, a long appendix', () => {
    const fileText = [
      'routes:',
      '  - labels: []',
      '    agnet: claude',
      '  - model: x',
      '  - labels: [a]',
      `    appendix: "${'x'.repeat(4001)}"`,
      '  - just-a-string',
    ].join('\n');
    const ps = problems(() => parseConfig({ inputs: base, fileText }));
    expect(ps).toHaveLength(5);
    expect(ps).toContain(`'routes[0].labels' in .github/agentloop.yml = [] is not allowed; allowed: a non-empty list of label names`);
    expect(ps.join('\n')).toMatch(
      /'routes\[0\]' in \.github\/agentloop\.yml: unknown key 'agnet'; allowed keys: labels, agent, model, agent-command, agent-args, appendix/,
    );
    expect(ps).toContain(`'routes[1].labels' in .github/agentloop.yml is required (a non-empty list of label names)`);
    expect(ps).toContain(
      `'routes[2].appendix' in .github/agentloop.yml = (4001 characters) is not allowed; allowed: text of at most 4000 characters`,
    );
    expect(ps.join('\n')).toMatch(/'routes\[3\]' in .* = "just-a-string" is not allowed; allowed: a map with labels/);
  });

  it('rejects routes that are not a list, and routes given as an action input', () => {
    expect(problems(() => parseConfig({ inputs: base, fileText: 'routes: security\n' })).join()).toMatch(
      /'routes' in \.github\/agentloop\.yml = "security" is not allowed; allowed: a list of routes/,
    );
    expect(problems(() => parseConfig({ inputs: base, fileText: 'routes:\n  - labels: "[broken"\n' })).join()).toMatch(
      /'routes' in .* is not allowed/,
    );
    // routes is not an action input: an input of that name is ignored, not read.
    expect(parseConfig({ inputs: { ...base, routes: '[{"labels":["x"]}]' } }).routes).toEqual([]);
  });

  it('requires an agent-command for a route to the command agent when there is none to inherit', () => {
    const fileText = 'routes:\n  - labels: [docs]\n    agent: command\n';
    expect(problems(() => parseConfig({ inputs: { token: 't', agent: 'claude' }, fileText }))).toEqual([
      `'routes[0].agent-command' in .github/agentloop.yml is required when the route's agent is command (a command line, e.g. "node agent.js")`,
    ]);
    expect(parseConfig({ inputs: { ...base, agent: 'claude' }, fileText }).routes).toEqual([{ labels: ['docs'], agent: 'command' }]);
  });
});
