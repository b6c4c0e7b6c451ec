// One agent run that may change files: the agent works on a copy of agentloop's checkout in its
// sandbox; agentloop reads the files back as data into its own repository and lists what changed
// against the commit the change starts from. The agent's own .git, hooks and config are never used.
import type { AgentSession } from '../agent/port.js';
import type { AgentRunResult } from '../agent/runner.js';
import type { Workspace } from '../git/repo.js';
import { changesBetween, type TreeChange, treeOfDir } from '../git/tree.js';
import type { RunContext } from './context.js';
import { initAgentRepo } from './workspace.js';

export interface AgentChange {
  result: AgentRunResult;
  /** The tree built from the agent's files; absent when the agent failed or did not start. */
  tree?: string;
  /** Everything that differs from `parent`, with modes; empty without a tree. */
  changes: TreeChange[];
}

/** Open a sandbox on agentloop's checkout (which must be at `parent`), run, read the result back. */
export async function agentChange(
  rc: RunContext,
  ws: Workspace,
  parent: string,
  run: (session: AgentSession) => Promise<AgentRunResult>,
): Promise<AgentChange> {
  const session = await rc.agent.open(ws.dir, (dir) => initAgentRepo(dir, ws.home));
  try {
    const result = await run(session);
    if (result.notStarted || !result.ok) return { result, changes: [] };
    const tree = await treeOfDir(ws, session.dir, parent);
    return { result, tree, changes: await changesBetween(ws, parent, tree) };
  } finally {
    await session.close();
  }
}
