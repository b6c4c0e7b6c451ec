// The one claim handle every transition that owns an item uses: take (owner first, then the in-process
// label), then exactly one of done / fail / release; an exception on the way hands the item to a human.
import type { Approval } from '../core/approval.js';
import { hasLabel, type LabelChange } from '../core/labels.js';
import type { Outcome } from '../core/outcomes.js';
import type { LoopState, StatusView, StepState } from '../core/status-comment.js';
import { workflowsGrantText, workflowsRefusal } from '../core/workflows-permission.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { type Escalation, writeEscalation } from './escalation.js';
import { approvalRecord } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

export const CODE_STEPS = ['Code requested', 'Agent implements the issue', 'PR opened', 'CI green', 'Merged'] as const;
export type CodeStep = 0 | 1 | 2 | 3 | 4 | 5;

/** A lifecycle checklist with `current` as the step in progress (or failed). */
export function checklist(labels: readonly string[], current: number, failed = false): StatusView['steps'] {
  return labels.map((label, i) => ({
    label,
    state: (i < current ? 'done' : i === current ? (failed ? 'failed' : 'current') : 'todo') as StepState,
  }));
}

export function codeSteps(current: CodeStep, failed = false): StatusView['steps'] {
  return checklist(CODE_STEPS, current, failed);
}

/** The state with this run's history entry appended and no owner. */
export function released(rc: RunContext, state: LoopState, transition: string, outcome: string): LoopState {
  const { owner: _owner, ...rest } = state;
  return { ...rest, history: [...state.history, { transition, runId: rc.env.runId, at: rc.now().toISOString(), outcome }] };
}

export interface ClaimSpec {
  /** Names the history entries ('code', 'fix-ci', …). */
  transition: string;
  lane: 'plan' | 'code';
  item: LoadedItem;
  outcome: Outcome;
  /** The status title if the transition throws. */
  errorTitle: string;
  /** A new approval of the issue text (the decision's `approve`): recorded with the claim. */
  approve?: Approval | undefined;
  /** More state written with the owner (what a run lost after its effect leaves for the next to read). */
  record?: Partial<LoopState>;
}

interface Finish {
  /** One sentence for the job summary. */
  message: string;
  /** The history entry's outcome; default done / failed / deferred. */
  note?: string;
  /** Merged over the released state. */
  state?: Partial<LoopState>;
  links?: TransitionResult['links'];
  agent?: TransitionResult['agent'];
}

interface Failed extends Finish {
  /** What a human does next, for the status comment and the notice (no final period). */
  todo: string;
}

export class Claim {
  readonly before: string[];
  /** The owned state as claimed; `released()` of it is what the item ends with. */
  readonly state: LoopState;

  private constructor(
    private readonly rc: RunContext,
    private readonly spec: ClaimSpec,
    public labels: string[],
    state: LoopState,
  ) {
    this.before = spec.item.data.labels;
    this.state = state;
  }

  get number(): number {
    return this.spec.item.data.number;
  }

  /**
   * Write the owner (and a new approval) into the status comment first, then the in-process label. A
   * run killed in between leaves either no claim at all or a claim whose owner the sweep can check.
   */
  static async take(rc: RunContext, spec: ClaimSpec, view: StatusView): Promise<Claim> {
    const state: LoopState = {
      ...spec.item.status.state,
      ...(spec.approve ? { approved: await approvalRecord(rc, spec.item, spec.approve) } : {}),
      ...spec.record,
      owner: { runId: rc.env.runId, runUrl: rc.env.runUrl, lane: spec.lane, since: rc.now().toISOString() },
    };
    await spec.item.status.write(view, state);
    rc.steps.reached('owner-written');
    const labels = await rc.labels.apply(spec.item.data.number, spec.item.data.labels, spec.outcome.claim);
    rc.steps.reached('claimed');
    return new Claim(rc, spec, labels, state);
  }

  /**
   * Run `body` holding the claim. If it throws, hand the item to a human (best effort: the forge may be
   * the thing that is failing) and rethrow; the sweep repairs what even that could not.
   */
  async run(body: () => Promise<TransitionResult>): Promise<TransitionResult> {
    try {
      return await body();
    } catch (err) {
      const { rc, spec } = this;
      await rc.labels.apply(this.number, this.labels, spec.outcome.failure).catch(() => undefined);
      const names = rc.config.labelNames;
      const label = names.needSupervisor;
      // The claim took the trigger label (plan, code, breakdown, its approval) off: a retry needs it again.
      const retry = [names.plan, names.code, names.breakdown, names.breakdownApprove].find((l) => hasLabel(spec.outcome.claim.remove, l));
      const todo = `remove \`${label}\`${retry ? ` and apply \`${retry}\` again` : ''} to let agentloop try again`;
      // A push GitHub refused for the `workflows` permission: say what to grant, not just the error.
      const refusal = workflowsRefusal(`${(err as { stderr?: unknown }).stderr ?? ''}\n${(err as Error).message}`);
      const reason = `agentloop hit an error: ${(err as Error).message.split('\n')[0]}.`;
      const message = refusal
        ? workflowsGrantText(refusal, { action: 'push', label })
        : `${reason} It stopped and added \`${label}\`; ${todo}.`;
      const view: StatusView = { title: spec.errorTitle, steps: [], message };
      const state = released(rc, spec.item.status.state, spec.errorTitle, 'error');
      const escalation = { reason: refusal ? message.split('\n')[0]! : reason, todo };
      // Best effort: the forge may be the thing that is failing.
      await writeEscalation(rc, spec.item, escalation, view, state).catch(() => undefined);
      throw err;
    }
  }

  /** The effect happened: success labels. */
  done(view: StatusView, f: Finish): Promise<TransitionResult> {
    return this.finish('done', this.spec.outcome.success, view, { note: 'done', ...f });
  }

  /** Escalated: failure labels (NeedSupervisor), and the supervisors told in a new comment. */
  fail(view: StatusView, f: Failed): Promise<TransitionResult> {
    return this.finish('failed', this.spec.outcome.failure, view, { note: 'failed', ...f }, { reason: f.message, todo: f.todo });
  }

  /** Nothing done; the item goes back to waiting. `change` defaults to dropping the claim label. */
  release(view: StatusView, f: Finish & { change?: LabelChange }): Promise<TransitionResult> {
    const change = f.change ?? { add: [], remove: this.spec.outcome.claim.add };
    return this.finish('skipped', change, view, { note: 'deferred', ...f });
  }

  private async finish(
    outcome: TransitionResult['outcome'],
    change: LabelChange,
    view: StatusView,
    f: Finish,
    escalation?: Escalation,
  ): Promise<TransitionResult> {
    this.labels = await this.rc.labels.apply(this.number, this.labels, change);
    this.rc.steps.reached('outcome-labels');
    const state = { ...released(this.rc, this.state, this.spec.transition, f.note ?? outcome), ...f.state };
    if (escalation) await writeEscalation(this.rc, this.spec.item, escalation, view, state);
    else await this.spec.item.status.write(view, state);
    return {
      outcome,
      item: this.number,
      labelsBefore: this.before,
      labelsAfter: this.labels,
      message: f.message,
      ...(f.links ? { links: f.links } : {}),
      ...(f.agent ? { agent: f.agent } : {}),
    };
  }
}
