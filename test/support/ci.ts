// Report CI on a commit the way GitHub Actions would: a workflow run with a job, and a check run.
import type { Harness } from './harness.js';

export function reportCi(
  h: Harness,
  sha: string,
  conclusion: 'success' | 'failure',
  opts: { name?: string; log?: string; failedStep?: string } = {},
): void {
  const now = h.forge.state.now();
  const runId = h.forge.state.id();
  const jobId = h.forge.state.id();
  const name = opts.name ?? 'test';
  h.repo.runs.push({
    id: runId,
    workflowPath: '.github/workflows/ci.yml',
    name: 'CI',
    event: 'pull_request',
    headBranch: '',
    headSha: sha,
    status: 'completed',
    conclusion,
    createdAt: now,
    updatedAt: now,
    actor: 'maria',
    runAttempt: 1,
    jobs: [
      {
        id: jobId,
        runId,
        name,
        status: 'completed',
        conclusion,
        steps: [{ name: opts.failedStep ?? 'Run node test.js', number: 1, status: 'completed', conclusion }],
        log: opts.log ?? '',
        startedAt: now,
        completedAt: now,
      },
    ],
  });
  h.forge.logs.set(jobId, opts.log ?? `${name}: ${conclusion}\n`);
  h.repo.checkRuns.push({
    id: h.forge.state.id(),
    sha,
    name,
    status: 'completed',
    conclusion,
    runId,
    jobId,
    startedAt: now,
    completedAt: now,
  });
}
