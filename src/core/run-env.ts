// What a run knows of where it runs: forge, event, repository, run identity, inputs (read in run/actions-env.ts).
import type { ForgeKind } from './model.js';

export interface ActionsEnv {
  forge: ForgeKind;
  eventName: string;
  payload: Record<string, unknown>;
  owner: string;
  repo: string;
  apiUrl: string;
  serverUrl: string;
  runId: string;
  runUrl: string;
  workspace: string;
  tempDir: string;
  inputs: Record<string, string>;
}
