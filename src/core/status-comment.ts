// The one status comment per item: a human-readable checklist plus hidden JSON state (DESIGN §2, §9).
// Found by its marker, edited in place. Humans may edit the visible text; the state survives.

import type { Approval } from './approval.js';

export const STATUS_MARKER = '<!-- agentloop:status -->';
const STATE_RE = /<!--\s*agentloop:state\s+([\s\S]*?)\s*-->/;

export interface ReviewState {
  rounds: number;
  /** Review ids whose requested changes a round answered. */
  addressed: number[];
  /** Review ids by people who may not ask for changes, already said so in the status comment. */
  ignored?: number[];
  /**
   * The round a run claimed, from the head it started on: a run lost after its push leaves it here, and the
   * moved head says the round was answered (core/decide/review.ts).
   */
  pending?: { round: number; reviews: number[]; fromSha: string };
  /** The reviewer agent's verdict (config `review: agent`), on the head it reviewed. */
  agent?: { sha: string; verdict: 'approve' | 'request_changes'; reviewId: number };
}

export interface AttemptRecord {
  transition: string;
  runId: string;
  at: string;
  outcome: string;
  /** A requeue: when the lost run took its claim. What it did from then on answered the same request. */
  claimedAt?: string;
}

/**
 * The version of the state this agentloop writes, and the newest it reads. Raised only when an older
 * agentloop would misread the new state; a field added with a default keeps it (an older release reads
 * the state and carries the field along unchanged). Reading: a state without `v` (written before the
 * version was recorded) or an older one is read with defaults for what it lacks; a newer one is not read
 * at all (readState says `newer`, and the item is left alone: services/status-writer.ts).
 */
export const STATE_VERSION = 1;

/** One escalation to NeedSupervisor, numbered per item, and whom its notice mentioned (core/escalation.ts). */
export interface EscalationRecord {
  n: number;
  at: string;
  told: string[];
}

export interface LoopState {
  v: typeof STATE_VERSION;
  /** The run that owns the item while a `*-in-process` label is on it. */
  owner?: { runId: string; runUrl?: string; lane: string; since: string };
  /** Requeues after a lost run (sweep). */
  attempt: number;
  fixAttempts: number;
  /** Head SHA agentloop last pushed (or decided on), and when it pushed it. */
  headSha?: string;
  pushedAt?: string;
  pull?: number;
  /** "label@login" already refused, so a refusal is said once. */
  refused?: string;
  /** Head SHA the forge refused to merge (reviews, rules): no retry until the head changes. */
  mergeBlockedSha?: string;
  /** update-branch was requested for this head (the forge answers 202 and works asynchronously). */
  updateRequested?: { sha: string; at: string };
  /** Head SHA for which the "no CI appeared" note was posted. */
  ciMissingNotified?: string;
  /** What the writer who applied the trigger label approved (digests of the title, body and discussion). */
  approved?: Approval;
  /** Review rounds on the loop PR: how many agentloop answered, the reviews addressed, those it ignored. */
  review?: ReviewState;
  /** The latest escalation, announced once in its own comment (absent: none recorded yet). */
  escalation?: EscalationRecord;
  history: AttemptRecord[];
}

/**
 * Since when the work already done for the current request counts: the trigger's time, or earlier when
 * agentloop itself re-applied the trigger (the sweep requeueing a lost run, which is no new request) —
 * then from the lost run's claim. A plan run killed after posting its plan must not post a second one.
 * `state` is as read before this run's claim: a lost run's owner is still in it when the sweep that
 * re-applied the label was itself stopped before recording the requeue.
 */
export function requestWorkSince(state: LoopState, triggerAt: string): string {
  const last = state.history.at(-1);
  const lost = state.owner?.since ?? (last?.outcome === 'requeued' ? last.claimedAt : undefined);
  if (lost === undefined || !(Date.parse(lost) < Date.parse(triggerAt))) return triggerAt;
  // The claim's time is the runner's clock to the millisecond; forges stamp whole seconds.
  return new Date(Math.floor(Date.parse(lost) / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export const emptyState = (): LoopState => ({ v: STATE_VERSION, attempt: 0, fixAttempts: 0, history: [] });

export function isStatusComment(body: string): boolean {
  return body.includes(STATUS_MARKER);
}

export type StateRead =
  /** `from`: the version found; 0 when the state names none (or there is no readable state: a fresh one). */
  | { kind: 'read'; state: LoopState; from: number }
  /** Written by a newer agentloop: not read, never overwritten. */
  | { kind: 'newer'; version: number };

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const count = (v: unknown): number => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : 0);

/**
 * Migrations from each older version to the next (index: the version migrated from). Version 0 (no
 * `v`) is the same format as version 1: the first releases did not check the version yet.
 */
const MIGRATIONS: ((raw: Raw) => Raw)[] = [(raw) => raw];

/**
 * Read the state from a status comment, explicitly by version. Damaged or missing JSON yields a fresh
 * state (never throws); a field of the wrong shape falls back to its default; fields this version does
 * not know are kept, so a state written by a newer compatible release survives a round trip.
 */
export function readState(body: string | undefined): StateRead {
  const match = body ? STATE_RE.exec(body) : null;
  if (!match) return { kind: 'read', state: emptyState(), from: 0 };
  let data: unknown;
  try {
    data = JSON.parse(match[1]!.replace(/--\\u003e/g, '-->'));
  } catch {
    return { kind: 'read', state: emptyState(), from: 0 };
  }
  if (!isObject(data)) return { kind: 'read', state: emptyState(), from: 0 };
  const version = data.v === undefined ? 0 : Number.isInteger(data.v) && (data.v as number) >= 0 ? (data.v as number) : undefined;
  // A `v` that is no version at all: not a state agentloop wrote.
  if (version === undefined) return { kind: 'read', state: emptyState(), from: 0 };
  if (version > STATE_VERSION) return { kind: 'newer', version };
  let raw = data;
  for (let v = version; v < STATE_VERSION; v++) raw = MIGRATIONS[v]!(raw);
  return { kind: 'read', state: fromCurrent(raw), from: version };
}

/** The state of the current version, each field checked; what is missing or malformed gets its default. */
function fromCurrent(raw: Raw): LoopState {
  const state: LoopState = {
    ...raw,
    v: STATE_VERSION,
    attempt: count(raw.attempt),
    fixAttempts: count(raw.fixAttempts),
    history: Array.isArray(raw.history) ? (raw.history.filter(isObject) as unknown as AttemptRecord[]).slice(-20) : [],
  };
  const drop = (key: keyof LoopState, ok: boolean) => {
    if (!ok) delete state[key];
  };
  const owner = raw.owner;
  drop('owner', isObject(owner) && str(owner.runId) && str(owner.lane) && str(owner.since));
  drop('headSha', str(raw.headSha));
  drop('pushedAt', str(raw.pushedAt));
  drop('pull', Number.isInteger(raw.pull));
  drop('refused', str(raw.refused));
  drop('mergeBlockedSha', str(raw.mergeBlockedSha));
  drop('updateRequested', isObject(raw.updateRequested) && str(raw.updateRequested.sha) && str(raw.updateRequested.at));
  drop('ciMissingNotified', str(raw.ciMissingNotified));
  const approved = raw.approved;
  drop('approved', isObject(approved) && str(approved.label) && str(approved.at) && str(approved.by) && str(approved.text));
  const r = raw.review;
  drop('review', isObject(r) && Number.isInteger(r.rounds) && Array.isArray(r.addressed) && r.addressed.every(Number.isInteger));
  const e = raw.escalation;
  drop(
    'escalation',
    isObject(e) && Number.isInteger(e.n) && (e.n as number) > 0 && str(e.at) && Array.isArray(e.told) && e.told.every(str),
  );
  return state;
}

/** The state of a status comment; a newer version's state reads as a fresh one (callers that write use readState). */
export function parseState(body: string | undefined): LoopState {
  const read = readState(body);
  return read.kind === 'read' ? read.state : emptyState();
}

function encodeState(state: LoopState): string {
  // "-->" inside a string would end the HTML comment early.
  return JSON.stringify({ ...state, history: state.history.slice(-20) }).replace(/-->/g, '--\\u003e');
}

/** `body` with its hidden state replaced by `state` and the visible text as it was (appended if it had none). */
export function replaceState(body: string, state: LoopState): string {
  const marker = `<!-- agentloop:state ${encodeState(state)} -->`;
  return STATE_RE.test(body) ? body.replace(STATE_RE, () => marker) : `${body}\n\n${marker}`;
}

export type StepState = 'done' | 'current' | 'todo' | 'failed' | 'skipped';

export interface StatusView {
  title: string;
  steps: { label: string; state: StepState }[];
  /** One or two sentences: what is happening or what went wrong, and what to do. */
  message: string;
  runUrl?: string;
  details?: string[];
}

const BOX: Record<StepState, string> = { done: '[x]', current: '[ ]', todo: '[ ]', failed: '[ ]', skipped: '[x]' };
const SUFFIX: Record<StepState, string> = { done: '', current: ' ← now', todo: '', failed: ' ✗', skipped: ' (skipped)' };

export function renderStatusComment(view: StatusView, state: LoopState): string {
  const lines = [
    STATUS_MARKER,
    `### agentloop · ${view.title}`,
    '',
    ...view.steps.map((s) => `- ${BOX[s.state]} ${s.label}${SUFFIX[s.state]}`),
    '',
    view.message,
  ];
  if (view.details?.length) lines.push('', ...view.details.map((d) => `- ${d}`));
  if (view.runUrl) lines.push('', `[run log](${view.runUrl})`);
  lines.push('', `<!-- agentloop:state ${encodeState(state)} -->`);
  return lines.join('\n');
}

/** The status comment among an item's comments: the newest one carrying the marker, by agentloop's own author if known. */
export function findStatusComment<C extends { body: string; author: { login: string } }>(
  comments: readonly C[],
  selfLogin?: string | null,
): C | undefined {
  const ours = comments.filter((c) => isStatusComment(c.body));
  const bySelf = selfLogin ? ours.filter((c) => c.author.login.toLowerCase() === selfLogin.toLowerCase()) : [];
  return (bySelf.length ? bySelf : ours).at(-1);
}
