// Dry-run is one check at the effect boundary: reads pass through, writes are logged and skipped.
import type { Forge } from '../forge/forge.js';
import type { Logger } from './logger.js';

const WRITES = new Set<keyof Forge>([
  'createIssue',
  'closeIssue',
  'updateIssueBody',
  'createComment',
  'updateComment',
  'createLabel',
  'addLabels',
  'removeLabel',
  'createPull',
  'mergePull',
  'updatePullBranch',
  'deleteBranch',
  'dispatchWorkflow',
]);

const FAKE_RESULT: Partial<Record<keyof Forge, unknown>> = {
  createComment: { id: -1, body: '', author: { login: 'dry-run', type: 'Bot' }, createdAt: '', updatedAt: '', htmlUrl: '' },
  mergePull: { merged: false, status: 0, message: 'dry run' },
};

export function dryRunForge(forge: Forge, log: Logger): Forge {
  return new Proxy(forge, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!WRITES.has(prop as keyof Forge)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        log.info(`[dry-run] would call ${String(prop)}(${args.map((a) => JSON.stringify(a)).join(', ').slice(0, 300)})`);
        return FAKE_RESULT[prop as keyof Forge];
      };
    },
  });
}
