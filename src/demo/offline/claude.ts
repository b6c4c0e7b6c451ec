// Claude Code offline: ANTHROPIC_BASE_URL points it at the scripted model server (Anthropic Messages
// API); no retries, so a scripted failure is seen at once. agentloop's adapter adds the no-update,
// no-telemetry settings itself.
import { anthropicDialect } from '@agentloop/embedded-forge';
import type { OfflineCliSpec } from '../offline-cli.js';

export const claudeOffline: OfflineCliSpec = {
  dialects: [anthropicDialect],
  setup: (modelUrl, path) => ({
    with: { agent: 'claude' },
    env: { PATH: path, ANTHROPIC_BASE_URL: modelUrl, CLAUDE_CODE_MAX_RETRIES: '0' },
    secrets: { ANTHROPIC_API_KEY: 'sk-ant-offline-demo' },
  }),
};
