// The status comment's checklist for an issue on its way to a merged PR, and claim/release helpers
// shared by the code-lane transitions.
import type { LabelChange } from '../core/labels.js';
import type { LoopState, StatusView, StepState } from '../core/status-comment.js';
import type { LoadedItem } from '../runtime/snapshot-loader.js';
import type { RunContext } from '../runtime/run-context.js';

export const CODE_STEPS = ['Code requested', 'Agent implements the issue', 'PR opened', 'CI green', 'Merged'] as const;
export type CodeStep = 0 | 1 | 2 | 3 | 4 | 5;

export function codeSteps(current: CodeStep, failed = false): StatusView['steps'] {
  return CODE_STEPS.map((label, i) => ({
    label,
    state: (i < current ? 'done' : i === current ? (failed ? 'failed' : 'current') : 'todo') as StepState,
  }));
}

export function owned(rc: RunContext, state: LoopState, lane: string): LoopState {
  return { ...state, owner: { runId: rc.env.runId, runUrl: rc.env.runUrl, lane, since: rc.now().toISOString() } };
}

export function released(rc: RunContext, state: LoopState, transition: string, outcome: string): LoopState {
  const { owner: _owner, ...rest } = state;
  return { ...rest, history: [...state.history, { transition, runId: rc.env.runId, at: rc.now().toISOString(), outcome }] };
}

/**
 * Take an item: write the owner into the status comment first, then the in-process label. A run
 * killed in between leaves either no claim at all or a claim whose owner the sweep can check.
 */
export async function claim(rc: RunContext, item: LoadedItem, change: LabelChange, state: LoopState, view: StatusView): Promise<string[]> {
  await item.status.write(view, state);
  return rc.labels.apply(item.data.number, item.data.labels, change);
}

/**
 * Run `body` holding a claim. If it throws, hand the item to a human (best effort: the forge may be the
 * thing that is failing) and rethrow; the sweep repairs what even that could not.
 */
export async function withClaim<T>(
  rc: RunContext,
  item: LoadedItem,
  failure: LabelChange,
  labels: string[],
  title: string,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const names = rc.config.labelNames;
    await rc.labels.apply(item.data.number, labels, failure).catch(() => undefined);
    await item.status
      .write(
        {
          title,
          steps: [],
          message: `agentloop hit an error: ${(err as Error).message.split('\n')[0]}. It stopped and added \`${names.needSupervisor}\`; remove it to let agentloop try again.`,
          runUrl: rc.env.runUrl,
        },
        released(rc, item.status.state, title, 'error'),
      )
      .catch(() => undefined);
    throw err;
  }
}
