// The dry-run boundary (DESIGN §1.3): the forge, the agent and git push are ports; in a dry run they are
// replaced here, once. Reads pass through; writes are logged and skipped; the agent is not started.

import type { AgentPort } from '../agent/port.js';
import type { Logger } from '../core/logger.js';
import type { NewReview, ReviewData } from '../core/model.js';
import type { Forge } from '../forge/forge.js';
import type { GitRemote } from '../git/repo.js';

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
  'createReview',
  'replyToReviewComment',
]);

const DRY_RUN_ACTOR = { login: 'dry-run', type: 'Bot' } as const;
const REVIEW_STATE = { approve: 'approved', request_changes: 'changes_requested', comment: 'commented' } as const;

const FAKE_RESULT: Partial<Record<keyof Forge, (...args: unknown[]) => unknown>> = {
  createComment: () => ({ id: -1, body: '', author: DRY_RUN_ACTOR, createdAt: '', updatedAt: '', htmlUrl: '' }),
  // A breakdown's child: number 0, never a real issue.
  createIssue: (title, body, labels) => ({
    number: 0,
    title,
    body,
    state: 'open',
    isPull: false,
    labels,
    author: DRY_RUN_ACTOR,
    createdAt: '',
    htmlUrl: '',
  }),
  mergePull: () => ({ merged: false, status: 0, message: 'dry run' }),
  updatePullBranch: () => ({ requested: true }),
  // The review that would have been submitted, so callers can report it.
  createReview: (_pull, review) => {
    const r = review as NewReview;
    const out: ReviewData = {
      id: -1,
      author: DRY_RUN_ACTOR,
      state: REVIEW_STATE[r.event],
      body: r.body,
      commitSha: r.commitSha,
      submittedAt: '',
      htmlUrl: '',
    };
    return out;
  },
};

/** What a dry run reports in place of the agent's answer. */
export const DRY_RUN_MESSAGE = '(dry run: the agent was not started)';

export function dryRunForge(forge: Forge, log: Logger): Forge {
  return new Proxy(forge, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!WRITES.has(prop as keyof Forge)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        log.info(
          `[dry-run] would call ${String(prop)}(${args
            .map((a) => JSON.stringify(a))
            .join(', ')
            .slice(0, 300)})`,
        );
        return FAKE_RESULT[prop as keyof Forge]?.(...args);
      };
    },
  });
}

/** The isolation check still runs (it writes nothing), so a dry run shows a runner that cannot isolate. */
export function dryRunAgent(real: AgentPort, log: Logger): AgentPort {
  return {
    check: () => real.check(),
    async open(fromDir) {
      return {
        dir: fromDir,
        async run(request) {
          log.info(
            `[dry-run] would run the ${request.agent} agent (${request.mode}) for ${request.extraEnv?.AGENTLOOP_TRANSITION ?? 'a transition'} with a ${request.prompt.length}-character prompt`,
          );
          return {
            ok: true,
            notStarted: true,
            exitCode: 0,
            signal: null,
            timedOut: false,
            finalMessage: DRY_RUN_MESSAGE,
            stderrTail: '',
            durationMs: 0,
          };
        },
        close: async () => {},
      };
    },
  };
}

export function dryRunGit(log: Logger): GitRemote {
  return {
    async push(_ws, branch) {
      log.info(`[dry-run] would push to ${branch}`);
    },
  };
}
