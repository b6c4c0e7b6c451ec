// Webhook-style events the embedded forge emits; the workflow runner subscribes.
export interface ForgeEvent {
  name: string;
  action?: string;
  payload: Record<string, unknown>;
  repo: string;
  /** The login whose token caused it. */
  actor: string;
  /** Caused by a workflow's automatic token: the real forges start no workflow runs for these. */
  automatic: boolean;
  ref: string;
  sha: string;
  /** workflow_dispatch only: the target workflow file path. */
  workflowPath?: string;
}

export type EventListener = (event: ForgeEvent) => void;
