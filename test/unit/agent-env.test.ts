import { describe, expect, it } from 'vitest';
import { agentEnv } from '../../src/agent/env.js';

const SAFE = { PATH: '/usr/bin:/bin', HOME: '/home/runner', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC' };

// Variables a real Actions job has (or a workflow commonly exports) that must never reach either agent.
const DANGEROUS: Record<string, string> = {
  INPUT_TOKEN: 'ghs_input_token',
  INPUT_AGENT: 'claude',
  GITHUB_TOKEN: 'ghs_github_token',
  GH_TOKEN: 'gho_gh_token',
  GH_ENTERPRISE_TOKEN: 'ghe_token',
  ACTIONS_RUNTIME_TOKEN: 'actions_runtime',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc_request_token',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/oidc',
  ACTIONS_RESULTS_URL: 'https://results-receiver.actions.githubusercontent.com/',
  ACTIONS_CACHE_URL: 'https://artifactcache.actions.githubusercontent.com/',
  GITEA_TOKEN: 'gitea_token',
  FORGEJO_TOKEN: 'forgejo_token',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octo/repo',
  GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
  GITHUB_ENV: '/home/runner/work/_temp/_runner_file_commands/set_env',
  GITHUB_OUTPUT: '/home/runner/work/_temp/_runner_file_commands/set_output',
  RUNNER_TEMP: '/home/runner/work/_temp',
  RUNNER_TOKEN: 'runner_token',
  NPM_TOKEN: 'npm_token',
  NODE_AUTH_TOKEN: 'node_auth_token',
  MY_SECRET: 'my_secret',
  DB_PASSWORD: 'hunter2',
  SSH_PRIVATE_KEY: '-----BEGIN OPENSSH PRIVATE KEY-----',
  DOCKER_AUTH_CONFIG: '{"auths":{}}',
  NODE_OPTIONS: '--require /tmp/evil.js',
  GIT_CONFIG_PARAMETERS: "'http.extraheader=AUTHORIZATION: basic xyz'",
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
};

// Cloud credentials claude may use (Bedrock/Vertex) but a custom command agent may not.
const CLAUDE_ONLY = {
  AWS_SECRET_ACCESS_KEY: 'aws_secret',
  AWS_SESSION_TOKEN: 'aws_session',
  AWS_ACCESS_KEY_ID: 'AKIA000',
  CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat-token',
  ANTHROPIC_AUTH_TOKEN: 'gateway-bearer',
  GOOGLE_APPLICATION_CREDENTIALS: '/tmp/gcp.json',
};

describe('agentEnv', () => {
  for (const agent of ['command', 'claude'] as const) {
    it.each(Object.keys(DANGEROUS))(`never passes %s to the ${agent} agent`, (name) => {
      const env = agentEnv({ ...SAFE, ...DANGEROUS }, agent);
      expect(env).not.toHaveProperty(name);
      expect(Object.values(env)).not.toContain(DANGEROUS[name]);
    });
  }

  it.each(Object.keys(CLAUDE_ONLY))('passes %s to claude but not to a command agent', (name) => {
    const parent = { ...SAFE, ...CLAUDE_ONLY };
    expect(agentEnv(parent, 'claude')[name]).toBe(parent[name as keyof typeof CLAUDE_ONLY]);
    expect(agentEnv(parent, 'command')).not.toHaveProperty(name);
  });

  it('passes ANTHROPIC_API_KEY to claude, but not the other CLIs keys', () => {
    const env = agentEnv(
      { ...SAFE, ANTHROPIC_API_KEY: 'sk-ant-1', OPENAI_API_KEY: 'sk-openai', GEMINI_API_KEY: 'g1', GOOGLE_API_KEY: 'g2' },
      'claude',
    );
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-1');
    expect(env).not.toHaveProperty('OPENAI_API_KEY');
    expect(env).not.toHaveProperty('GEMINI_API_KEY');
    expect(env).not.toHaveProperty('GOOGLE_API_KEY');
  });

  it('passes every supported model key and AGENTLOOP_AGENT_* settings to a command agent', () => {
    const env = agentEnv(
      {
        ...SAFE,
        ANTHROPIC_API_KEY: 'a',
        OPENAI_API_KEY: 'o',
        GEMINI_API_KEY: 'g',
        GOOGLE_API_KEY: 'k',
        AGENTLOOP_AGENT_PROFILE: 'fast',
        AGENTLOOP_AGENT_TOKEN: 'still-secret-looking',
        AGENTLOOP_TRANSITION: 'from-parent',
      },
      'command',
    );
    expect(env).toMatchObject({ ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o', GEMINI_API_KEY: 'g', GOOGLE_API_KEY: 'k' });
    expect(env.AGENTLOOP_AGENT_PROFILE).toBe('fast');
    expect(env).not.toHaveProperty('AGENTLOOP_AGENT_TOKEN');
    // Only the caller's explicit extraEnv sets other AGENTLOOP_* names.
    expect(env).not.toHaveProperty('AGENTLOOP_TRANSITION');
    expect(agentEnv({ ...SAFE, AGENTLOOP_AGENT_PROFILE: 'fast' }, 'claude')).not.toHaveProperty('AGENTLOOP_AGENT_PROFILE');
  });

  it('keeps the basics, drops unknown variables, and sets CI and GIT_TERMINAL_PROMPT', () => {
    const env = agentEnv({ ...SAFE, TERM: 'xterm', EDITOR: 'vim', PWD: '/x', LD_PRELOAD: '/tmp/x.so' }, 'command');
    expect(env).toEqual({ ...SAFE, TERM: 'xterm', CI: 'true', GIT_TERMINAL_PROMPT: '0' });
  });

  it('adds the caller extras, which win over the parent', () => {
    const env = agentEnv({ ...SAFE }, 'command', { AGENTLOOP_MODE: 'write', CI: 'true', HOME: '/tmp/agent-home' });
    expect(env.AGENTLOOP_MODE).toBe('write');
    expect(env.HOME).toBe('/tmp/agent-home');
  });

  it.each(['GITHUB_TOKEN', 'INPUT_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'MY_SECRET', 'NODE_OPTIONS', 'BAD NAME', 'OPENAI_API_KEY_TOKEN'])(
    'refuses %s as an extra rather than leak it',
    (name) => {
      expect(() => agentEnv({ ...SAFE }, 'claude', { [name]: 'x' })).toThrow(/refuses/);
    },
  );
});
