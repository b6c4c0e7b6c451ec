// Gemini CLI offline: GOOGLE_GEMINI_BASE_URL points it at the scripted model server (the Gemini API:
// streamGenerateContent turns, generateContent side calls) with a dummy GEMINI_API_KEY, both from the
// runner's environment as a maintainer with a Gemini API gateway sets them (the templates' agentloop step
// names only ANTHROPIC_API_KEY in its env; a maintainer maps secrets.GEMINI_API_KEY there). Nothing else:
// the settings Gemini CLI needs in the agent's fresh HOME for a gateway — the auth type, no usage
// statistics — are agentloop's adapter's to write (src/agent/gemini.ts, geminiHome), as on a real runner.
import { geminiDialect } from '@agentloop/embedded-forge';
import type { OfflineCliSpec } from '../offline-cli.js';

export const geminiOffline: OfflineCliSpec = {
  dialects: [geminiDialect],
  setup: (modelUrl, path) => ({
    with: { agent: 'gemini' },
    env: { PATH: path, GOOGLE_GEMINI_BASE_URL: modelUrl, GEMINI_API_KEY: 'gemini-offline-demo' },
    secrets: {},
  }),
};
