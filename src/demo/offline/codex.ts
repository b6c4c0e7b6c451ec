// Codex offline: codex ignores OPENAI_BASE_URL (it would go to OpenAI's own host), so the scripted model
// server is a custom model provider in a config.toml — what a self-hosted runner with an
// OpenAI-compatible endpoint writes — in a CODEX_HOME that agentloop copies into the agent's own codex
// home for each run (src/agent/codex.ts, codexHome). The provider reads its key from OPENAI_API_KEY
// (agentloop passes that name to codex), never retries, and speaks the Responses API. `gpt-5.5`: codex
// offers apply_patch only to models it knows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openaiResponsesDialect } from '@agentloop/embedded-forge';
import type { OfflineCliSpec } from '../offline-cli.js';

/** config.toml for a Responses API endpoint at `baseUrl` (…/v1). */
export function codexOfflineConfig(baseUrl: string): string {
  return [
    'model = "gpt-5.5"',
    'model_provider = "agentloop-offline"',
    '',
    '[model_providers.agentloop-offline]',
    'name = "agentloop scripted model server"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[analytics]',
    'enabled = false',
    '',
  ].join('\n');
}

export const codexOffline: OfflineCliSpec = {
  dialects: [openaiResponsesDialect],
  setup: (modelUrl, path) => {
    // Read by agentloop (the runner's user), not by the agent: 0700 is fine. Removed when this process exits.
    const home = mkdtempSync(join(tmpdir(), 'agentloop-codex-home-'));
    process.once('exit', () => rmSync(home, { recursive: true, force: true }));
    writeFileSync(join(home, 'config.toml'), codexOfflineConfig(`${modelUrl}/v1`), { mode: 0o600 });
    return {
      with: { agent: 'codex' },
      // The key is a dummy: the templates' agentloop step names only ANTHROPIC_API_KEY in its env, so it
      // comes from the runner's environment here (a maintainer maps secrets.OPENAI_API_KEY in that step).
      env: { PATH: path, CODEX_HOME: home, OPENAI_API_KEY: 'sk-offline-demo' },
      secrets: {},
    };
  },
};
