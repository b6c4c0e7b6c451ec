// Report CI on a commit the way each forge's Actions would: a workflow run with a job, and then on
// GitHub a check run (with the job's log behind the jobs API), on Forgejo a commit status per job —
// context "<workflow> / <job> (<event>)", linking to the job's page — as Forgejo's runner posts it
// (embedded-forge/src/reporting.ts). Forgejo has no check runs and no API for jobs or logs.
import type { Harness } from './harness.js';

/** Reports `conclusion` on `sha`; returns the name agentloop sees for it (the check's, or the status's context). */
export function reportCi(
  h: Harness,
  sha: string,
  conclusion: 'success' | 'failure',
  opts: { name?: string; log?: string; failedStep?: string } = {},
): string {
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
  if (h.flavor === 'forgejo') {
    const context = `CI / ${name} (pull_request)`;
    h.repo.statuses.push({
      id: h.forge.state.id(),
      sha,
      context,
      state: conclusion,
      description: conclusion === 'success' ? 'Successful' : 'Failing',
      targetUrl: `${h.forge.urls.web}/${h.repo.owner}/${h.repo.name}/actions/runs/${runId}/jobs/${jobId}`,
      createdAt: now,
    });
    return context;
  }
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
  return name;
}
