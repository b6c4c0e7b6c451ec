// The agent's environment: an allowlist, never the runner's whole environment (DESIGN §8).
// The agent reads untrusted issue text and runs arbitrary commands, so it must never see the forge
// token (INPUT_TOKEN, GITHUB_TOKEN, …), the Actions runtime/OIDC tokens (ACTIONS_*), or any other
// secret the workflow happens to export. What passes:
//   - BASE_NAMES / LC_*: what a CLI needs to find programs, a home directory, a locale and a terminal;
//   - NETWORK_NAMES: proxy and CA settings, so a self-hosted runner behind a proxy can reach the model API;
//   - the credentials and endpoint settings of the chosen agent (CLAUDE_NAMES, CODEX_NAMES, GEMINI_NAMES,
//     OPENCODE_NAMES; for command, the model keys of every supported CLI plus AGENTLOOP_AGENT_* — a
//     documented prefix a maintainer uses to hand settings to a custom agent);
//   - CI=true, GIT_TERMINAL_PROMPT=0, and the caller's explicit additions (AGENTLOOP_PROMPT_FILE, …).
// NODE_OPTIONS, GIT_*, SSH_AUTH_SOCK and the like are left out on purpose: they inject code or credentials.
// On top of the allowlist, a name that looks like a secret (SECRET_NAME) is dropped unless it is one of
// the model-credential names explicitly allowed for that agent, and forge/runner names (FORBIDDEN_*) never pass.
import type { AgentName } from '../core/config.js';

/** Always passed when set. */
export const BASE_NAMES: readonly string[] = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TERM'];
/** Always passed when set (locale categories). */
export const BASE_PREFIXES: readonly string[] = ['LC_'];
/** Proxy and CA settings, passed when set. A proxy URL may embed proxy credentials; the job already uses them. */
export const NETWORK_NAMES: readonly string[] = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
];

/** The model-key names of the CLIs agentloop supports; a custom `command` agent may use any of them. */
export const MODEL_KEY_NAMES: readonly string[] = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'];

/**
 * Claude Code: Anthropic API (key, OAuth token from `claude setup-token`, or a gateway), Amazon Bedrock
 * (CLAUDE_CODE_USE_BEDROCK + AWS credentials/region) and Google Vertex AI (CLAUDE_CODE_USE_VERTEX +
 * CLOUD_ML_REGION, ANTHROPIC_VERTEX_PROJECT_ID and application-default credentials).
 */
export const CLAUDE_NAMES: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_USE_BEDROCK',
  'ANTHROPIC_BEDROCK_BASE_URL',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'ANTHROPIC_VERTEX_BASE_URL',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'CLOUD_ML_REGION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
];

/**
 * Codex CLI: an OpenAI API key (CODEX_API_KEY is read by `codex exec` only), an OpenAI-compatible endpoint
 * and organization, a CA bundle for TLS-intercepting proxies, and CODEX_HOME (where a setup step may have
 * left config.toml — a custom model provider, for example — or a `codex login` auth.json; in a sandbox
 * agentloop copies those two files into the agent's own codex home and points CODEX_HOME there: codex.ts).
 */
export const CODEX_NAMES: readonly string[] = [
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_ORGANIZATION',
  'CODEX_CA_CERTIFICATE',
  'CODEX_HOME',
];

/**
 * Gemini CLI: a Gemini API key (GEMINI_API_KEY), or Vertex AI (GOOGLE_GENAI_USE_VERTEXAI with
 * GOOGLE_API_KEY, or GOOGLE_CLOUD_PROJECT + GOOGLE_CLOUD_LOCATION with application-default credentials or
 * an access token), or a cached Google login (GOOGLE_GENAI_USE_GCA); and gateway endpoints.
 */
export const GEMINI_NAMES: readonly string[] = [
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GOOGLE_GENAI_USE_GCA',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_ACCESS_TOKEN',
  'GOOGLE_GEMINI_BASE_URL',
  'GOOGLE_VERTEX_BASE_URL',
];

/**
 * opencode: the keys of the providers it reads from the environment (Anthropic, OpenAI, Google, OpenRouter,
 * Groq, xAI, DeepSeek, Mistral, OpenCode Zen, Azure, Amazon Bedrock, Google Vertex AI), endpoint overrides,
 * and OPENCODE_AUTH_CONTENT (the content of an opencode auth.json, for providers set up with `opencode auth`).
 * Not OPENCODE_CONFIG_CONTENT: the adapter sets it itself, the maintainer's (a custom endpoint is provider
 * configuration there: opencode 1.18 ignores ANTHROPIC_BASE_URL) merged under agentloop's (opencode.ts).
 */
export const OPENCODE_NAMES: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'OPENROUTER_API_KEY',
  'GROQ_API_KEY',
  'XAI_API_KEY',
  'DEEPSEEK_API_KEY',
  'MISTRAL_API_KEY',
  'OPENCODE_API_KEY',
  'AZURE_API_KEY',
  'AZURE_RESOURCE_NAME',
  'AWS_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_VERTEX_PROJECT',
  'GOOGLE_VERTEX_LOCATION',
  'VERTEX_LOCATION',
  'OPENCODE_AUTH_CONTENT',
];

/** Documented prefix: variables a maintainer sets for a custom `command` agent. Secret-looking names still drop. */
export const COMMAND_PREFIX = 'AGENTLOOP_AGENT_';

/** Names that look like secrets. */
export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASS|CREDENTIAL|PRIVATE_KEY|AUTH/i;
/** Forge, runner and action-input variables: never passed, whatever else says. */
export const FORBIDDEN_PREFIXES: readonly string[] = ['INPUT_', 'GITHUB_', 'ACTIONS_', 'RUNNER_', 'GITEA_', 'FORGEJO_'];
export const FORBIDDEN_NAMES: readonly string[] = [
  'GH_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_TOKEN',
  'GITEA_TOKEN',
  'FORGEJO_TOKEN',
  'NODE_OPTIONS',
];

const CREDENTIAL_NAMES: Readonly<Record<AgentName, readonly string[]>> = {
  command: MODEL_KEY_NAMES,
  claude: CLAUDE_NAMES,
  codex: CODEX_NAMES,
  gemini: GEMINI_NAMES,
  opencode: OPENCODE_NAMES,
};

/** Model credentials explicitly allowed for an agent (exempt from SECRET_NAME). */
export function allowedCredentialNames(agent: AgentName): readonly string[] {
  return CREDENTIAL_NAMES[agent];
}

function isForbidden(name: string): boolean {
  const upper = name.toUpperCase();
  return FORBIDDEN_NAMES.includes(upper) || FORBIDDEN_PREFIXES.some((p) => upper.startsWith(p));
}

function isAllowlisted(name: string, agent: AgentName): boolean {
  if (BASE_NAMES.includes(name) || NETWORK_NAMES.includes(name)) return true;
  if (BASE_PREFIXES.some((p) => name.startsWith(p))) return true;
  if (allowedCredentialNames(agent).includes(name)) return true;
  return agent === 'command' && name.startsWith(COMMAND_PREFIX) && name.length > COMMAND_PREFIX.length;
}

/** Whether `name` may reach the agent's environment at all (allowlist aside). */
function passesDenyRules(name: string, agent: AgentName): boolean {
  if (isForbidden(name)) return false;
  return !SECRET_NAME.test(name) || allowedCredentialNames(agent).includes(name);
}

/**
 * The agent's environment: allowlisted names from `parentEnv`, then CI=true and GIT_TERMINAL_PROMPT=0,
 * then `extra` (the caller's trusted additions, which win). An `extra` name that breaks the deny rules
 * (a forge token, a secret-looking name) is a programming error: it throws rather than leak.
 */
export function agentEnv(parentEnv: NodeJS.ProcessEnv, agent: AgentName, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value === undefined) continue;
    if (isAllowlisted(name, agent) && passesDenyRules(name, agent)) out[name] = value;
  }
  out.CI = 'true';
  out.GIT_TERMINAL_PROMPT = '0';
  for (const [name, value] of Object.entries(extra)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !passesDenyRules(name, agent)) {
      throw new Error(`agentloop refuses to pass the variable ${JSON.stringify(name)} to the agent`);
    }
    out[name] = value;
  }
  return out;
}
