import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Approval, type ApprovedItem, checkApproval, textDigest, threadDigest } from '../../src/core/approval.js';
import { sha256Hex } from '../../src/core/sha256.js';
import type { TriggerInfo } from '../../src/core/snapshot.js';

describe('sha256Hex', () => {
  it('agrees with node:crypto, across block boundaries and for any UTF-8', () => {
    const inputs = [
      '',
      'abc',
      'a'.repeat(55),
      'a'.repeat(56),
      'a'.repeat(64),
      'a'.repeat(1000),
      'Grüße 👋🏽 \u200B 日本語',
      'x'.repeat(70_000),
    ];
    for (const s of inputs) expect(sha256Hex(s), `${s.length} chars`).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('digests', () => {
  it('tell a title from a body and change with either', () => {
    expect(textDigest('a', 'b')).not.toBe(textDigest('ab', ''));
    expect(textDigest('a', 'b')).not.toBe(textDigest('a', 'b '));
    expect(textDigest('a', 'b')).toBe(textDigest('a', 'b'));
  });
  it('cover the ids and edit times of the comments, in order', () => {
    const a = { id: 1, updatedAt: '2026-11-21T10:00:00Z' };
    const b = { id: 2, updatedAt: '2026-11-21T10:05:00Z' };
    expect(threadDigest([a, b])).not.toBe(threadDigest([b, a]));
    expect(threadDigest([a, b])).not.toBe(threadDigest([a, { ...b, updatedAt: '2026-11-21T11:00:00Z' }]));
    expect(threadDigest([])).toMatch(/^[0-9a-f]{64}$/);
  });
});

const SELF = ['github-actions[bot]'];
const T0 = '2026-11-21T10:00:00Z';
const T1 = '2026-11-21T11:00:00Z';
const trigger = (label: string, login: string, at: string, type: 'User' | 'Bot' = 'User'): TriggerInfo => ({
  label,
  actor: { login, type },
  permission: 'write',
  at,
});
const approved = (over: Partial<Approval> = {}): Approval => ({
  label: 'loop/code',
  at: T0,
  by: 'maria',
  text: textDigest('T', 'B'),
  ...over,
});
const item = (title: string, body: string, a?: Approval): ApprovedItem => ({ title, body, loop: a ? { approved: a } : {} });

describe('checkApproval', () => {
  const rows: [name: string, item: ApprovedItem, trigger: TriggerInfo | undefined, expected: ReturnType<typeof checkApproval>][] = [
    [
      'a writer applies the label: a new approval',
      item('T', 'B'),
      trigger('loop/code', 'maria', T0),
      { ok: true, record: { label: 'loop/code', at: T0, by: 'maria', text: textDigest('T', 'B') } },
    ],
    [
      'the same application again (text unchanged): nothing new',
      item('T', 'B', approved()),
      trigger('loop/code', 'maria', T0),
      { ok: true },
    ],
    [
      'the same application, stamped earlier by the timeline: still the same approval',
      item('T', 'X', approved()),
      trigger('loop/code', 'maria', '2026-11-21T09:59:59Z'),
      { ok: false, reason: 'the title or body changed after @maria applied `loop/code` (2026-11-21 10:00 UTC)' },
    ],
    [
      'a writer re-applies the label after an edit: a new approval of the new text',
      item('T', 'X', approved()),
      trigger('loop/code', 'maria', T1),
      { ok: true, record: { label: 'loop/code', at: T1, by: 'maria', text: textDigest('T', 'X') } },
    ],
    [
      'another trigger label (code after plan) is a new approval',
      item('T', 'X', approved({ label: 'loop/plan' })),
      trigger('loop/code', 'ana', T0),
      { ok: true, record: { label: 'loop/code', at: T0, by: 'ana', text: textDigest('T', 'X') } },
    ],
    [
      'a requeue (agentloop re-applies the label), text unchanged',
      item('T', 'B', approved()),
      trigger('loop/code', 'github-actions[bot]', T1, 'Bot'),
      { ok: true },
    ],
    [
      'a requeue after the body was edited: stop',
      item('T', 'B2', approved()),
      trigger('loop/code', 'GitHub-Actions[bot]', T1, 'Bot'),
      { ok: false, reason: 'the title or body changed after @maria applied `loop/code` (2026-11-21 10:00 UTC)' },
    ],
    [
      "agentloop's own label on an issue it opened (ci-failure autofix): starts the approval",
      item('CI failing', 'details'),
      trigger('loop/code', 'github-actions[bot]', T1, 'Bot'),
      { ok: true, record: { label: 'loop/code', at: T1, by: 'github-actions[bot]', text: textDigest('CI failing', 'details') } },
    ],
    ['fix-ci, text unchanged', item('T', 'B', approved()), undefined, { ok: true }],
    [
      'fix-ci after the title was edited: stop',
      item('T2', 'B', approved()),
      undefined,
      { ok: false, reason: 'the title or body changed after @maria applied `loop/code` (2026-11-21 10:00 UTC)' },
    ],
    [
      'fix-ci with no approval on record (work started before agentloop kept one): stop',
      item('T', 'B'),
      undefined,
      { ok: false, reason: 'agentloop has no record of the text a maintainer approved (the work started before it kept one)' },
    ],
  ];
  it.each(rows)('%s', (_name, it_, t, expected) => {
    expect(checkApproval(it_, t, SELF)).toEqual(expected);
  });
});
