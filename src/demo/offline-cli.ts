// A real agent CLI, run offline: which model API dialect the scripted model server must speak for it,
// and the workflow settings that point the CLI at that server (its base URL, a dummy key, no retries,
// no update checks). Used by `agentloop demo --agent <cli>` and the end-to-end tests. One file per CLI
// under offline/.
import { join } from 'node:path';
import type { ModelDialect } from '@agentloop/embedded-forge';
import { claudeOffline } from './offline/claude.js';
import { codexOffline } from './offline/codex.js';
import { geminiOffline } from './offline/gemini.js';
import { opencodeOffline } from './offline/opencode.js';

export interface OfflineCliSetup {
  /** `with:` of the agentloop step. */
  with: Record<string, string>;
  /** The runner's environment for every step (the CLI finds its base URL there, through agentloop's allowlist). */
  env: Record<string, string>;
  /** Repository secrets the templates read (the model key). */
  secrets: Record<string, string>;
}

export interface OfflineCliSpec {
  /** The model APIs the server answers for this CLI. */
  dialects: ModelDialect[];
  /** `modelUrl`: the server's base URL; `path`: PATH with the package's node_modules/.bin first. */
  setup(modelUrl: string, path: string): OfflineCliSetup;
}

const SPECS = {
  claude: claudeOffline,
  codex: codexOffline,
  gemini: geminiOffline,
  opencode: opencodeOffline,
} satisfies Record<string, OfflineCliSpec>;

export type OfflineCli = keyof typeof SPECS;
export const OFFLINE_CLIS = Object.keys(SPECS) as OfflineCli[];

export function offlineCliDialects(agent: OfflineCli): ModelDialect[] {
  return SPECS[agent].dialects;
}

/** `root`: the package root, whose node_modules/.bin holds the CLIs (devDependencies). */
export function offlineCliSetup(agent: OfflineCli, modelUrl: string, root: string): OfflineCliSetup {
  return SPECS[agent].setup(modelUrl, `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`);
}
