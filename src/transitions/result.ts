// What a transition reports back for the job summary and the action outputs.
export interface TransitionResult {
  /** done: the effect happened; failed: escalated to a human; skipped: nothing was written. */
  outcome: 'done' | 'failed' | 'skipped';
  item?: number;
  labelsBefore?: string[];
  labelsAfter?: string[];
  /** One sentence for the summary. */
  message: string;
  /** Links worth a click: the plan comment, the PR. */
  links?: { label: string; url: string }[];
  agent?: { durationMs: number; costUsd?: number; inputTokens?: number; outputTokens?: number };
}
