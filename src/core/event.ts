// The event that woke a run, normalized across forges. A hint about where to look, never the truth.
import type { Actor } from './model.js';
import type { Lane } from './snapshot.js';

export type LoopEvent =
  | { kind: 'labeled'; number: number; isPull: boolean; label: string; sender: Actor }
  | { kind: 'unlabeled'; number: number; isPull: boolean; label: string; sender: Actor }
  | { kind: 'pull-request'; number: number; action: string; sender: Actor }
  /** A review (or a line comment of one) submitted on a PR. */
  | { kind: 'review'; number: number; sender: Actor }
  | {
      kind: 'ci';
      workflow: string;
      runId: number;
      conclusion: string;
      headSha: string;
      headBranch: string;
      url: string;
      /** What started the run: push, schedule, workflow_dispatch, pull_request, … ('' when the payload does not say). */
      runEvent: string;
      /** owner/name of the repository the run's head came from: a fork's for fork pull requests ('' when absent). */
      headRepo: string;
      /** owner/name of this repository, as the payload names it. */
      repo: string;
    }
  | { kind: 'schedule' }
  | { kind: 'dispatch'; lane?: Lane; number?: number; chain: number }
  | { kind: 'other'; name: string; action?: string };

export function eventItem(event: LoopEvent): number | undefined {
  return 'number' in event ? event.number : undefined;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};

export function actorOf(user: unknown): Actor {
  const u = obj(user);
  const type = str(u.type);
  return { login: str(u.login) || str(u.username), type: type === 'Bot' ? 'Bot' : type === 'Organization' ? 'Organization' : 'User' };
}

const LANE_NAMES = ['plan', 'code', 'sweep'] as const;

/** Normalize a webhook payload (GitHub or Forgejo) into a LoopEvent. Pure; never throws. */
export function normalizeEvent(eventName: string, payload: unknown): LoopEvent {
  const p = obj(payload);
  const action = str(p.action);
  switch (eventName) {
    case 'issues':
    case 'pull_request':
    case 'pull_request_target': {
      const isPull = eventName !== 'issues' || !!obj(p.issue).pull_request;
      const item = obj(p.issue ?? p.pull_request);
      const number = num(item.number) ?? num(p.number);
      if (number === undefined) return { kind: 'other', name: eventName, action };
      if (action === 'labeled' || action === 'unlabeled') {
        return { kind: action, number, isPull, label: str(obj(p.label).name), sender: actorOf(p.sender) };
      }
      if (action === 'label_updated' || action === 'label_cleared') {
        // Forgejo reports an added label and a removed one (others remaining) alike as label_updated,
        // naming the label (v9.0.2+); the item in the payload carries its labels after the change.
        const label = str(obj(p.label).name);
        const now = Array.isArray(item.labels) ? item.labels.map((l) => str(obj(l).name).toLowerCase()) : [];
        const added = action === 'label_updated' && (!label || now.includes(label.toLowerCase()));
        return { kind: added ? 'labeled' : 'unlabeled', number, isPull, label, sender: actorOf(p.sender) };
      }
      if (isPull) return { kind: 'pull-request', number, action, sender: actorOf(p.sender) };
      return { kind: 'other', name: eventName, action };
    }
    case 'pull_request_review':
    case 'pull_request_review_comment':
    case 'pull_request_review_approved':
    case 'pull_request_review_rejected': {
      // Forgejo's review hooks (approved, rejected, comment) run `on: pull_request_review` workflows; the
      // event may carry either name. The PR is in the payload either way.
      const number = num(obj(p.pull_request).number) ?? num(p.number);
      if (number === undefined) return { kind: 'other', name: eventName, action };
      return { kind: 'review', number, sender: actorOf(p.sender) };
    }
    case 'workflow_run': {
      const run = obj(p.workflow_run);
      return {
        kind: 'ci',
        workflow: str(obj(p.workflow).name) || str(run.name),
        runId: num(run.id) ?? 0,
        conclusion: str(run.conclusion),
        headSha: str(run.head_sha),
        headBranch: str(run.head_branch),
        url: str(run.html_url),
        runEvent: str(run.event),
        headRepo: str(obj(run.head_repository).full_name),
        repo: str(obj(p.repository).full_name),
      };
    }
    case 'schedule':
      return { kind: 'schedule' };
    case 'workflow_dispatch':
    case 'repository_dispatch': {
      const inputs = obj(eventName === 'workflow_dispatch' ? p.inputs : p.client_payload);
      const lane = LANE_NAMES.find((l) => l === str(inputs.lane));
      const number = num(inputs.item);
      return {
        kind: 'dispatch',
        ...(lane ? { lane } : {}),
        ...(number !== undefined ? { number } : {}),
        chain: num(inputs.chain) ?? 0,
      };
    }
    default:
      return { kind: 'other', name: eventName, ...(action ? { action } : {}) };
  }
}
