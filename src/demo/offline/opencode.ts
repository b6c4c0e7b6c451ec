// opencode offline: opencode reads its endpoints from provider configuration, not from ANTHROPIC_BASE_URL,
// so the scripted model server is the anthropic provider's `baseURL` in OPENCODE_CONFIG_CONTENT — what a
// maintainer with an Anthropic-compatible endpoint sets — which agentloop's adapter merges its own
// permissions and settings into (src/agent/opencode.ts: also `--pure` and no language-server downloads,
// as for every unattended run). The server speaks the Anthropic Messages API; opencode's tools are
// read/write/edit/bash with `filePath`. No model is named: with only an Anthropic key opencode picks its
// default Claude model (and a small one for the session title, a side call without tools).
import { anthropicDialect } from '@agentloop/embedded-forge';
import type { OfflineCliSpec } from '../offline-cli.js';

export const opencodeOffline: OfflineCliSpec = {
  dialects: [anthropicDialect],
  setup: (modelUrl, path) => ({
    with: { agent: 'opencode' },
    env: {
      PATH: path,
      OPENCODE_CONFIG_CONTENT: JSON.stringify({ provider: { anthropic: { options: { baseURL: `${modelUrl}/v1` } } } }),
    },
    secrets: { ANTHROPIC_API_KEY: 'sk-ant-offline-demo' },
  }),
};
