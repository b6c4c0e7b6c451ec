// The demo's agent: the scripted agent (`command`, the default), or a real agent CLI (a devDependency)
// whose model API is answered by the scripted model server — offline, so a user can watch what the real
// CLI does with agentloop before giving it a key — or, with --live, the real model with the user's key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelServer } from '@agentloop/embedded-forge';
import { MODEL_KEY_NAMES } from '../agent/env.js';
import { OFFLINE_CLIS, type OfflineCli, offlineCliDialects, offlineCliSetup } from './offline-cli.js';
import { SAMPLE_MODEL_SCRIPT } from './sample.js';

export const DEMO_AGENTS = ['command', ...OFFLINE_CLIS] as const;
export type DemoAgentName = 'command' | OfflineCli;

export interface DemoAgent {
  /** `with:` of the agentloop step. */
  with: Record<string, string>;
  dropEnv: string[];
  env: Record<string, string>;
  secrets: Record<string, string>;
  /** One line for the transcript. */
  description: string;
  /** How many times the agent ran. */
  invocations(): number;
  stop(): Promise<void>;
}

export function parseDemoAgent(value: string | undefined): DemoAgentName {
  if (!(DEMO_AGENTS as readonly string[]).includes(value ?? ''))
    throw new Error(`--agent must be one of ${DEMO_AGENTS.join(', ')}, got "${value}"`);
  return value as DemoAgentName;
}

export async function startDemoAgent(
  agent: DemoAgentName,
  o: { root: string; scriptPath: string; live: boolean; repoPath?: string | undefined },
): Promise<DemoAgent> {
  if (agent === 'command') {
    return {
      with: { agent: 'command', 'agent-command': `node ${join(o.root, 'dist', 'scripted-agent.js')} ${o.scriptPath}` },
      dropEnv: ['ANTHROPIC_API_KEY'],
      env: {},
      secrets: {},
      description: 'the scripted agent',
      invocations: () => countLines(`${o.scriptPath}.log`),
      stop: async () => {},
    };
  }
  if (o.live) {
    // The user's own CLI first (as on their runner), else the dev dependency.
    const path = `${process.env.PATH ?? '/usr/bin:/bin'}:${join(o.root, 'node_modules', '.bin')}`;
    const keys = Object.fromEntries(MODEL_KEY_NAMES.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
    return {
      with: { agent },
      dropEnv: [],
      env: { PATH: path },
      secrets: keys,
      description: `${agent}, the real CLI with the real model (your key from the environment)`,
      invocations: () => 0,
      stop: async () => {},
    };
  }
  if (o.repoPath)
    throw new Error(
      `--agent ${agent} without --live answers with a scripted model that knows only the sample issue: add --live to use your key`,
    );
  const model = new ModelServer({ dialects: offlineCliDialects(agent), script: SAMPLE_MODEL_SCRIPT });
  const url = await model.start();
  const setup = offlineCliSetup(agent, url, o.root);
  return {
    ...setup,
    dropEnv: [],
    description: `${agent}, the real CLI, offline: its model API is the scripted model server at ${url}`,
    // Each run starts a conversation: its first model turn.
    invocations: () => model.calls.filter((c) => c.conversation >= 0 && c.turn === 0).length,
    stop: () => model.stop(),
  };
}

function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
