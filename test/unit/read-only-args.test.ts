// A plan run is read-only, and agent-args cannot widen it (DESIGN §8): agent-args come after the
// read-only flags, so a flag that sets tools, permissions, the sandbox, the approval mode, another agent
// or another session is refused in read-only mode — in every spelling the CLI's parser accepts.
import { describe, expect, it } from 'vitest';
import { claudeArgv } from '../../src/agent/claude.js';
import { codexArgv } from '../../src/agent/codex.js';
import { geminiArgv } from '../../src/agent/gemini.js';
import { opencodeArgv } from '../../src/agent/opencode.js';
import { readOnlyConflicts } from '../../src/agent/read-only.js';
import type { AgentName } from '../../src/core/config.js';

type Row = [agent: AgentName, args: string[], conflicts: string[]];

const widening: Row[] = [
  ['claude', ['--tools', 'Bash'], ['--tools']],
  ['claude', ['--tools=Read,Bash'], ['--tools=Read,Bash']],
  ['claude', ['--allowedTools', 'Bash'], ['--allowedTools']],
  ['claude', ['--allowed-tools', 'Bash(*)'], ['--allowed-tools']],
  ['claude', ['--disallowedTools', ''], ['--disallowedTools']],
  ['claude', ['--permission-mode', 'bypassPermissions'], ['--permission-mode']],
  ['claude', ['--dangerously-skip-permissions'], ['--dangerously-skip-permissions']],
  ['claude', ['--allow-dangerously-skip-permissions'], ['--allow-dangerously-skip-permissions']],
  ['claude', ['--add-dir', '/'], ['--add-dir']],
  ['claude', ['--mcp-config', 'servers.json'], ['--mcp-config']],
  ['claude', ['--settings', '{"permissions":{"allow":["Bash"]}}'], ['--settings']],
  ['claude', ['--agents', '{}'], ['--agents']],
  ['claude', ['--plugin-dir', 'p'], ['--plugin-dir']],
  ['claude', ['-c'], ['-c']],
  ['claude', ['--verbose', '--resume', 'abc'], ['--resume']],
  ['codex', ['--sandbox', 'danger-full-access'], ['--sandbox']],
  ['codex', ['--sandbox=danger-full-access'], ['--sandbox=danger-full-access']],
  ['codex', ['-s', 'danger-full-access'], ['-s']],
  ['codex', ['-sdanger-full-access'], ['-sdanger-full-access']],
  ['codex', ['--dangerously-bypass-approvals-and-sandbox'], ['--dangerously-bypass-approvals-and-sandbox']],
  ['codex', ['-c', 'sandbox_mode="danger-full-access"'], ['-c']],
  ['codex', ['--config=sandbox_mode=danger-full-access'], ['--config=sandbox_mode=danger-full-access']],
  ['codex', ['--profile', 'wide'], ['--profile']],
  ['codex', ['--full-auto'], ['--full-auto']],
  ['codex', ['--add-dir', '/tmp'], ['--add-dir']],
  ['codex', ['--enable', 'x'], ['--enable']],
  ['gemini', ['--approval-mode', 'yolo'], ['--approval-mode']],
  ['gemini', ['--approval-mode=yolo'], ['--approval-mode=yolo']],
  ['gemini', ['--approvalMode', 'yolo'], ['--approvalMode']],
  ['gemini', ['--yolo'], ['--yolo']],
  ['gemini', ['-y'], ['-y']],
  ['gemini', ['-dy'], ['-dy']],
  ['gemini', ['--admin-policy', 'allow-all.toml'], ['--admin-policy']],
  ['gemini', ['--policy', 'allow-all.toml'], ['--policy']],
  ['gemini', ['--allowed-tools', 'run_shell_command'], ['--allowed-tools']],
  ['gemini', ['--extensions', 'x'], ['--extensions']],
  ['gemini', ['--include-directories', '/'], ['--include-directories']],
  ['opencode', ['--agent', 'build'], ['--agent']],
  ['opencode', ['--agent=build'], ['--agent=build']],
  ['opencode', ['--auto'], ['--auto']],
  ['opencode', ['--attach', 'http://127.0.0.1:4096'], ['--attach']],
  ['opencode', ['--dir', '/'], ['--dir']],
  ['opencode', ['--command', 'deploy'], ['--command']],
  ['opencode', ['-c'], ['-c']],
  ['opencode', ['--share'], ['--share']],
];

const harmless: Row[] = [
  ['claude', ['--max-budget-usd', '1', '--verbose', '--effort', 'high', '--fallback-model', 'sonnet'], []],
  ['claude', ['--append-system-prompt', 'Answer in English.'], []],
  ['codex', ['--color', 'never', '-mo3', '--oss'], []],
  ['gemini', ['--sandbox', '-d', '--screen-reader'], []],
  ['opencode', ['--variant', 'high', '--thinking', '--log-level', 'DEBUG'], []],
  // The command agent takes no flags of agentloop's: its mode is AGENTLOOP_MODE.
  ['command', ['--tools', 'Bash', '--yolo'], []],
];

describe('read-only agent-args', () => {
  it.each([...widening, ...harmless])('%s %j → %j', (agent, args, conflicts) => {
    expect(readOnlyConflicts(agent, args)).toEqual(conflicts);
  });

  it('each adapter refuses, in read-only mode, to build an argv that agent-args would widen', () => {
    expect(() => claudeArgv({ mode: 'read-only', args: ['--tools', 'Bash'] })).toThrow(/--tools.*read-only/);
    expect(() => codexArgv({ mode: 'read-only', args: ['--sandbox', 'danger-full-access'] })).toThrow(/--sandbox/);
    expect(() => geminiArgv({ mode: 'read-only', args: ['--approval-mode', 'yolo'], policyFile: 'p.toml' })).toThrow(/--approval-mode/);
    expect(() => opencodeArgv({ mode: 'read-only', args: ['--agent', 'build'] })).toThrow(/--agent/);
  });

  it('write mode is not restricted by this rule', () => {
    expect(claudeArgv({ mode: 'write', args: ['--tools', 'Bash'] })).toContain('--tools');
    expect(codexArgv({ mode: 'write', args: ['--add-dir', '/tmp'] })).toContain('--add-dir');
  });
});
