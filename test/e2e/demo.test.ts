// `npm run demo` as a user runs it, and its --repo rehearsal on a copy of another repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/demo.js';
import { SAMPLE_ISSUE } from '../../src/demo/sample.js';

describe('agentloop demo', () => {
  it('runs the whole loop offline from dist and ends with a merged PR', () => {
    const r = spawnSync(process.execPath, ['dist/cli.js', 'demo'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const step of [
      'plan lane: plan (done)',
      'code lane: code (done)',
      'code lane: fix-ci (done)',
      'code lane: ci-green (done)',
      '@maria reviews PR #2 and requests changes on src/add.js line 2',
      'code lane: address-review (done)',
      'code lane: merge (done)',
    ]) {
      expect(r.stdout).toContain(step);
    }
    expect(r.stdout).toMatch(/CI\s+← pull_request opened #2 by agentloop-bot\s+→ failure/);
    expect(r.stdout).toContain('the issue is closed by a merged PR.');
    expect(r.stdout).toMatch(/, 0 that GitHub's OpenAPI description would reject/);
  });

  it('--forge forgejo runs the whole loop to a merge with Forgejo semantics, firing the sweep schedule', async () => {
    const lines: string[] = [];
    const result = await runDemo({
      flavor: 'forgejo',
      agent: 'command',
      issue: SAMPLE_ISSUE,
      ciCommand: 'npm test',
      keep: false,
      out: (l) => lines.push(l),
    });
    const said = lines.join('\n');
    expect(result.merged, said).toBe(true);
    for (const step of [
      'plan lane: plan (done)',
      'code lane: code (done)',
      'code lane: fix-ci (done)',
      'code lane: ci-green (done)',
      'code lane: merge (done)',
    ])
      expect(said).toContain(step);
    expect(said).toContain("the sweep's schedule (every 10 minutes in the template) is what notices CI results");
    expect(said).toMatch(/agentloop sweep\s+← schedule by \S+\s+→ sweep lane: sweep \(done\)/);
    // Forgejo mode stores label ids on items: the summary shows names.
    expect(said).toMatch(/issue #1 closed {2}labels: loop\/plan-done, loop\/merge-done\n {2}PR #\d+ merged/);
    expect(said).toMatch(/, 0 that Forgejo's API description \(swagger v15\.0\.3\) would reject/);
    expect(said).toContain('the issue is closed by a merged PR.');
    expect(result.runs.filter((r) => r.workflow.name === 'CI' && r.conclusion === 'failure')).toHaveLength(1);
  });

  it('--forge accepts github or forgejo only', () => {
    const r = spawnSync(process.execPath, ['dist/cli.js', 'demo', '--forge', 'gitlab'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--forge must be github or forgejo, got "gitlab"');
  });

  it('--repo rehearses on a copy and touches nothing outside the sandbox', async () => {
    const src = mkdtempSync(join(tmpdir(), 'agentloop-demo-src-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: src,
          encoding: 'utf8',
          env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' },
        });
      git('init', '--quiet', '--initial-branch=trunk');
      writeFileSync(join(src, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(
        join(src, 'test.js'),
        "import assert from 'node:assert/strict';\nimport { add } from './src/add.js';\nassert.equal(add('2', '3'), 5);\n",
      );
      execFileSync('mkdir', ['-p', join(src, 'src')]);
      writeFileSync(join(src, 'src/add.js'), 'export const add = (a, b) => a - b;\n');
      git('add', '-A');
      git('commit', '--quiet', '-m', 'start');
      const head = git('rev-parse', 'HEAD').trim();
      const lines: string[] = [];
      const result = await runDemo({
        agent: 'command',
        repoPath: src,
        issue: { title: 'Fix add', body: 'add() is wrong' },
        ciCommand: 'node test.js',
        keep: false,
        out: (l) => lines.push(l),
      });
      expect(result.merged, lines.join('\n')).toBe(true);
      // The source repository is untouched: same HEAD, same files, no new branches.
      expect(git('rev-parse', 'HEAD').trim()).toBe(head);
      expect(git('branch', '--list').trim()).toBe('* trunk');
      expect(readFileSync(join(src, 'src/add.js'), 'utf8')).toBe('export const add = (a, b) => a - b;\n');
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it('with a hostile `claude` on PATH, the agent obtains nothing and gets nothing onto any branch', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'agentloop-hostile-bin-'));
    const shared = mkdtempSync(join(tmpdir(), 'agentloop-hostile-shared-'));
    chmodSync(bin, 0o755);
    chmodSync(shared, 0o777);
    // Reads every /proc/*/environ, plants a pre-push hook and insteadOf, commits a workflow file itself.
    writeFileSync(
      join(bin, 'claude'),
      `#!/bin/sh\nexec ${process.execPath} ${resolve('test/fixtures/agents/hostile.mjs')} ${shared} steal,hooks,commitProtected\n`,
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const lines: string[] = [];
    let sandbox = '';
    try {
      // --live: the CLI found on PATH first, as on a runner.
      const result = await runDemo({
        agent: 'claude',
        live: true,
        issue: SAMPLE_ISSUE,
        ciCommand: 'npm test',
        keep: true,
        out: (l) => lines.push(l),
      });
      sandbox = result.sandbox;
      expect(result.merged, lines.join('\n')).toBe(false);
      const steal = JSON.parse(readFileSync(join(shared, 'hostile-steal.json'), 'utf8'));
      expect(steal.uid).not.toBe(0);
      expect(steal.found, 'what the agent found in other processes').toEqual([]);
      // The agent's own git may run what it planted, as the agent; agentloop's git never does.
      const ran = existsSync(join(shared, 'hostile-hook-ran'))
        ? readFileSync(join(shared, 'hostile-hook-ran'), 'utf8').trim().split('\n')
        : [];
      for (const line of ran) expect(line, 'a planted hook ran as root or saw a token').toMatch(/ ran as [1-9]\d* token=\s*$/);
      expect(readFileSync(join(shared, 'hostile-commitProtected.json'), 'utf8')).toMatch(/innocent/); // it did try
      const gitDir = join(sandbox, 'forge', 'git', 'acme', 'calc.git');
      const branches = execFileSync('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(refname)', 'refs/heads/'], {
        encoding: 'utf8',
      });
      expect(branches.trim()).toBe('refs/heads/main');
      expect(lines.join('\n')).toMatch(/code lane: code \(failed\)/);
      // The demo says why it stopped: the status comment that explains it, without agentloop's hidden markers.
      const said = lines.join('\n');
      expect(said).toMatch(
        /the loop stopped before a merge; the status comment says why:\n\nstatus comment on issue #1 \(@agentloop-bot\):\n {2}│ ### agentloop · /,
      );
      expect(said).not.toMatch(/agentloop:(state|status)|<!--/);
    } finally {
      process.env.PATH = path;
      for (const d of [bin, shared, sandbox]) if (d) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('agentloop demo --agent claude (the real CLI, offline)', () => {
  it('merges: Claude Code edits with its own tools, its model answered by the scripted model server', async () => {
    const lines: string[] = [];
    const result = await runDemo({ agent: 'claude', issue: SAMPLE_ISSUE, ciCommand: 'npm test', keep: false, out: (l) => lines.push(l) });
    const said = lines.join('\n');
    expect(result.merged, said).toBe(true);
    expect(said).toMatch(/agent: claude, the real CLI, offline: its model API is the scripted model server at http:\/\/127\.0\.0\.1:\d+/);
    expect(said).toMatch(/plan lane: plan \(done\)/);
    expect(said).toMatch(/code lane: fix-ci \(done\)/);
    expect(said).toMatch(/; 3 agent invocations;/); // plan, code, fix: each one conversation with the model server
  });
});
