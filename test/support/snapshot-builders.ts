// Builders for decide() tests: a small, readable snapshot vocabulary.

import { type Approval, textDigest } from '../../src/core/approval.js';
import type { DecideConfig } from '../../src/core/decide/index.js';
import type { TriggerKey } from '../../src/core/labels.js';
import { labelNames, TRIGGER_KEYS } from '../../src/core/labels.js';
import type { Actor, Permission } from '../../src/core/model.js';
import type { ItemSnapshot, PullSnapshot, Snapshot, TriggerInfo } from '../../src/core/snapshot.js';
import { emptyState, type LoopState } from '../../src/core/status-comment.js';

export const N = labelNames('loop/');
export const NOW = '2026-11-21T12:00:00Z';
export const EARLIER = '2026-11-21T10:00:00Z';

export const maintainer: Actor = { login: 'maria', type: 'User' };
export const triager: Actor = { login: 'tom', type: 'User' };
export const renovate: Actor = { login: 'renovate[bot]', type: 'Bot' };

export function cfg(over: Partial<DecideConfig> = {}): DecideConfig {
  return {
    labelNames: N,
    paused: false,
    allowedBots: [],
    maxOpenPrs: 1,
    maxFixAttempts: 2,
    maxReviewRounds: 3,
    review: 'none',
    autoMerge: false,
    mergeMethod: 'squash',
    stuckAfterMinutes: 90,
    ciTimeoutMinutes: 30,
    ciFailureAutofix: false,
    lane: 'auto',
    selfLogins: ['github-actions[bot]'],
    ...over,
  };
}

export function trigger(label: string, actor: Actor = maintainer, permission: Permission | 'unknown' = 'write', at = EARLIER): TriggerInfo {
  return { label, actor, permission, at };
}

/** The approval a writer's `loop/code` at EARLIER recorded for this title and body. */
export function approvalOf(title: string, body: string, over: Partial<Approval> = {}): Approval {
  return { label: N.code, at: EARLIER, by: maintainer.login, text: textDigest(title, body), ...over };
}

/**
 * An issue whose text is what a writer approved (`loop.approved` matches its title and body); pass
 * `loop: loopState({ approved: … })` (or `approved: undefined`) to test anything else.
 */
export function issue(
  number: number,
  labels: string[],
  over: Partial<ItemSnapshot> & { by?: Actor; perm?: Permission | 'unknown' } = {},
): ItemSnapshot {
  const { by, perm, ...rest } = over;
  const triggers: ItemSnapshot['triggers'] = {};
  for (const key of TRIGGER_KEYS as readonly TriggerKey[]) {
    if (labels.includes(N[key])) triggers[key] = trigger(N[key], by, perm);
  }
  const title = rest.title ?? `Issue ${number}`;
  const body = rest.body ?? '';
  return {
    number,
    isPull: false,
    state: 'open',
    labels,
    createdAt: EARLIER,
    triggers,
    ...rest,
    title,
    body,
    loop: { approved: approvalOf(title, body), ...(rest.loop ?? emptyState()) },
  };
}

export function loopState(over: Partial<LoopState>): LoopState {
  return { ...emptyState(), ...over };
}

export function pull(
  number: number,
  over: Partial<PullSnapshot> & { labels?: string[]; by?: Actor; perm?: Permission | 'unknown' } = {},
): PullSnapshot {
  const base = issue(number, over.labels ?? [], { by: over.by, perm: over.perm });
  const { by: _by, perm: _perm, ...rest } = over;
  const headSha = over.headSha ?? 'a1b2c3d4e5f6';
  return {
    ...base,
    isPull: true,
    draft: false,
    merged: false,
    headRef: 'agentloop/issue-1',
    headSha,
    sameRepo: true,
    baseRef: 'main',
    mergeable: true,
    mergeableState: 'clean',
    issueNumber: 1,
    ci: { sha: headSha, status: 'success', failing: [], pending: [], missing: [] },
    headPushedAt: EARLIER,
    ...rest,
  };
}

export function snap(over: Partial<Snapshot> = {}): Snapshot {
  return { now: NOW, defaultBranch: 'main', issues: [], pulls: [], defaultBranchHealth: [], runId: '999', ...over };
}
