// The agent as a port: the run context holds one, and the dry-run boundary replaces it.
import { type AgentRunRequest, type AgentRunResult, runAgent } from './runner.js';

export interface AgentPort {
  run(request: AgentRunRequest): Promise<AgentRunResult>;
}

export const processAgent: AgentPort = { run: runAgent };
