// Chaining (DESIGN §4): when a code-lane run did something and more may be waiting, it dispatches the
// next run itself — workflow_dispatch starts runs even for the default token — bounded by max-chain.
import type { LoopEvent } from '../core/event.js';
import type { Decision } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { TransitionResult } from '../transitions/result.js';

export interface ChainReport {
  dispatched: boolean;
  reason: string;
}

/**
 * The running workflow's file name, from GITHUB_WORKFLOW_REF (owner/repo/.github/workflows/x.yml@ref):
 * `x.yml`, because the dispatch API's workflow_id is the workflow's numeric id or its file name, never
 * the path (workflows live directly in .github/workflows, so the name is unique).
 */
export function currentWorkflowFile(env: NodeJS.ProcessEnv): string | undefined {
  const m = /^[^/]+\/[^/]+\/(?:.*\/)?([^/@]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '');
  return m?.[1];
}

export async function chainNext(
  rc: RunContext,
  event: LoopEvent,
  decision: Decision,
  result: TransitionResult | undefined,
  /** The run knows more is waiting (it settled refusals, or stopped at its request budget). */
  leftWork = false,
): Promise<ChainReport> {
  const depth = event.kind === 'dispatch' ? event.chain : 0;
  const more = leftWork || result?.outcome === 'done' || decision.queued.length > 0 || decision.recheck !== undefined;
  if (!more) return { dispatched: false, reason: 'nothing else is ready' };
  if (depth >= rc.config.maxChain) {
    rc.log.warning(
      `Not dispatching another run: this run is number ${depth} of a chain (max-chain: ${rc.config.maxChain}). The next event or the sweep continues.`,
    );
    return { dispatched: false, reason: `max-chain (${rc.config.maxChain}) reached` };
  }
  const workflow = currentWorkflowFile(rc.processEnv);
  if (!workflow) return { dispatched: false, reason: 'not running in a workflow (no GITHUB_WORKFLOW_REF)' };
  await rc.forge.dispatchWorkflow(workflow, rc.defaultBranch, { lane: 'code', item: '', chain: String(depth + 1) });
  return { dispatched: true, reason: `dispatched ${workflow} (chain ${depth + 1})` };
}
