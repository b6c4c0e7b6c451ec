// People acting while a run works (docs/design-decisions.md): the pure parts — is the work still wanted
// right before its effect (core/withdrawal.ts), and the wrap-up of PRs people merged or closed, or issues
// they closed under an open PR (core/decide/wrap-up.ts, and the sweep that wakes the code lane for them).
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide/index.js';
import type { LoopEvent } from '../../src/core/event.js';
import type { Actor, LabelEvent } from '../../src/core/model.js';
import { withdrawal } from '../../src/core/withdrawal.js';
import { cfg, EARLIER, issue, loopState, maintainer, N, pull, snap } from '../support/snapshot-builders.js';

const bot: Actor = { login: 'agentloop-bot', type: 'User' };
const ev = (action: LabelEvent['action'], label: string, actor = maintainer): LabelEvent => ({ action, label, actor, createdAt: EARLIER });
const base = { number: 7, state: 'open' as const, labels: [N.codeInProcess], stops: [N.needSupervisor], selfLogins: ['agentloop-bot'] };

describe('withdrawal: still wanted right before the effect', () => {
  it('goes on when nothing changed (agentloop took its own trigger off when it claimed)', () => {
    const events = [ev('labeled', N.code), ev('labeled', N.codeInProcess, bot), ev('unlabeled', N.code, bot)];
    expect(withdrawal({ ...base, watch: [N.code, N.codeInProcess], events })).toBeUndefined();
  });

  it('stops for a closed issue and for a stop label', () => {
    expect(withdrawal({ ...base, state: 'closed', watch: [] })).toBe('#7 was closed');
    expect(withdrawal({ ...base, labels: [N.codeInProcess, N.needSupervisor], watch: [] })).toBe('`NeedSupervisor` was added to #7');
  });

  it('stops when a person removed the trigger or the claim label after it was applied', () => {
    const trigger = [ev('labeled', N.code), ev('unlabeled', N.code)];
    expect(withdrawal({ ...base, watch: [N.code], events: trigger })).toBe('@maria removed `loop/code` from #7');
    const claim = [ev('labeled', N.codeInProcess, bot), ev('unlabeled', N.codeInProcess)];
    expect(withdrawal({ ...base, labels: [], watch: [N.codeInProcess], events: claim })).toMatch(/@maria removed `loop\/code-in-process`/);
  });

  it('a label applied again after its removal stands; a label deleted in the settings (no event) takes nothing back', () => {
    const again = [ev('labeled', N.code), ev('unlabeled', N.code), ev('labeled', N.code)];
    expect(withdrawal({ ...base, watch: [N.code], events: again })).toBeUndefined();
    const deleted = [ev('labeled', N.codeInProcess, bot)];
    expect(withdrawal({ ...base, labels: [], watch: [N.codeInProcess], events: deleted })).toBeUndefined();
  });
});

const dispatch: LoopEvent = { kind: 'dispatch', lane: 'code', chain: 0 };
const code = (s: ReturnType<typeof snap>) => decide(s, dispatch, cfg({ lane: 'code' }));

describe('wrap-up: people finished a PR around agentloop', () => {
  it('a PR a person merged → wrap-up pull-merged, before anything else', () => {
    const s = snap({
      issues: [issue(1, [N.codeDone], { loop: loopState({ pull: 2 }) }), issue(5, [N.code])],
      pulls: [pull(2, { state: 'closed', merged: true, mergedBy: 'maria' })],
    });
    expect(code(s).transition).toMatchObject({ kind: 'wrap-up', issue: 1, pull: 2, cause: 'pull-merged', by: 'maria' });
  });

  it('a PR a person closed → pull-closed; one not read → nothing decided on it', () => {
    const closed = snap({ issues: [issue(1, [N.codeCiPending], { loop: loopState({ pull: 2 }) })], pulls: [pull(2, { state: 'closed' })] });
    expect(code(closed).transition).toMatchObject({ kind: 'wrap-up', cause: 'pull-closed' });
    const unread = snap({ issues: [issue(1, [N.codeCiPending], { loop: loopState({ pull: 2 }) })] });
    expect(code(unread).transition.kind).toBe('none');
  });

  it('a closed issue at a PR stage whose PR is not on record → its labels are wrapped up; an open one waits', () => {
    const closed = snap({ issues: [issue(1, [N.codeDone, N.merge], { state: 'closed' })] });
    expect(code(closed).transition).toMatchObject({ kind: 'wrap-up', issue: 1, cause: 'closed-unrecorded' });
    const open = snap({ issues: [issue(1, [N.codeDone])] });
    expect(code(open).transition.kind).toBe('none');
  });

  it('an issue closed under its open PR → issue-closed; the PR is never carried on', () => {
    const s = snap({
      issues: [issue(1, [N.codeDone, N.merge], { state: 'closed', loop: loopState({ pull: 2 }) })],
      pulls: [pull(2, { mergeable: true })],
    });
    expect(code(s).transition).toMatchObject({ kind: 'wrap-up', issue: 1, pull: 2, cause: 'issue-closed' });
  });

  it('held by NeedSupervisor or owned by a run → not wrapped up', () => {
    const held = snap({
      issues: [issue(1, [N.codeDone, N.needSupervisor], { loop: loopState({ pull: 2 }) })],
      pulls: [pull(2, { state: 'closed' })],
    });
    expect(code(held).transition.kind).toBe('none');
    const owned = snap({
      issues: [issue(1, [N.codeDone, N.mergeInProcess], { loop: loopState({ pull: 2 }) })],
      pulls: [pull(2, { state: 'closed' })],
    });
    expect(code(owned).transition.kind).toBe('none');
  });

  it('the sweep wakes the code lane for the first issue to wrap up, naming it', () => {
    const s = snap({ issues: [issue(4, [N.codeDone])], wrapUps: [3, 4] });
    const d = decide(s, { kind: 'schedule' }, cfg({ lane: 'sweep' }));
    expect(d.transition.kind).toBe('sweep');
    const repairs = d.transition.kind === 'sweep' ? d.transition.repairs.filter((r) => r.kind === 'dispatch') : [];
    expect(repairs).toEqual([expect.objectContaining({ kind: 'dispatch', lane: 'code', item: 3 })]);
  });
});
