import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/transition.js';
import type { Forge } from '../../src/forge/forge.js';
import { chainNext, currentWorkflowFile } from '../../src/run/chain.js';
import { unitContext } from '../support/unit-context.js';

function context(maxChain: number) {
  const dispatched: { workflow: string; ref: string; inputs: Record<string, string> }[] = [];
  const forge = {
    dispatchWorkflow: async (workflow: string, ref: string, inputs: Record<string, string>) =>
      void dispatched.push({ workflow, ref, inputs }),
  } as unknown as Forge;
  const rc = unitContext({
    forge: forge,
    inputs: { 'max-chain': String(maxChain) },
    env: { owner: 'o', repo: 'r', serverUrl: 'http://x' },
    processEnv: { GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/agentloop-code.yml@refs/heads/main' },
  });
  return { rc, dispatched };
}

const decision = (over: Partial<Decision> = {}): Decision => ({
  lane: 'code',
  transition: { kind: 'none', reason: 'x' },
  queued: [],
  notes: [],
  ...over,
});
const done = { outcome: 'done' as const, message: 'ok' };

describe('chaining the next code-lane run', () => {
  it('dispatches its own workflow with chain + 1 after a transition', async () => {
    const { rc, dispatched } = context(20);
    const r = await chainNext(rc, { kind: 'dispatch', lane: 'code', chain: 3 }, decision(), done);
    expect(r.dispatched).toBe(true);
    expect(dispatched).toEqual([
      // GitHub's workflow_id is the numeric id or the file name, never the path under .github/workflows.
      { workflow: 'agentloop-code.yml', ref: 'main', inputs: { lane: 'code', item: '', chain: '4' } },
    ]);
  });
  it('never dispatches past max-chain, so a chain cannot loop forever', async () => {
    const { rc, dispatched } = context(5);
    const r = await chainNext(rc, { kind: 'dispatch', lane: 'code', chain: 5 }, decision(), done);
    expect(r).toEqual({ dispatched: false, reason: 'max-chain (5) reached' });
    expect(dispatched).toEqual([]);
  });
  it('stays quiet when nothing is ready', async () => {
    const { rc, dispatched } = context(20);
    await chainNext(rc, { kind: 'schedule' }, decision(), { outcome: 'skipped', message: 'x' });
    await chainNext(rc, { kind: 'schedule' }, decision(), undefined);
    expect(dispatched).toEqual([]);
  });
  it('rechecks when the forge is still computing mergeability', async () => {
    const { rc, dispatched } = context(20);
    await chainNext(rc, { kind: 'schedule' }, decision({ recheck: 'PR #3' }), undefined);
    expect(dispatched).toHaveLength(1);
  });
  it('reads its workflow file name from GITHUB_WORKFLOW_REF', () => {
    expect(currentWorkflowFile({ GITHUB_WORKFLOW_REF: 'a/b/.github/workflows/x.yml@refs/heads/main' })).toBe('x.yml');
    expect(currentWorkflowFile({ GITHUB_WORKFLOW_REF: 'a/b/.github/workflows/agentloop-code.yaml@refs/pull/3/merge' })).toBe(
      'agentloop-code.yaml',
    );
    expect(currentWorkflowFile({})).toBeUndefined();
  });
});
