// ci-failure (DESIGN §3): one issue per red workflow on the default branch, found again by a hidden
// marker; updated while it stays red, commented and closed when it is green again.

import { CI_FAILURE_MARKER, trackedWorkflow } from '../core/ci-failure-marker.js';
import { longestBacktickRun, sanitizeText } from '../core/sanitize.js';
import type { RunContext } from '../services/context.js';

const TAIL_LINES = 60;

async function trackingIssue(rc: RunContext, workflow: string) {
  return (await rc.forge.listOpenIssuesWithLabel(rc.config.labelNames.ciFailure)).find((i) => trackedWorkflow(i.body) === workflow);
}

function fenced(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}text\n${text}\n${fence}`;
}

async function describeRun(rc: RunContext, runId: number): Promise<string> {
  const jobs = (await rc.forge.listRunJobs(runId)).filter((j) => j.conclusion === 'failure');
  const parts: string[] = [];
  for (const job of jobs.slice(0, 3)) {
    parts.push(
      `- **${sanitizeText(job.name)}**${job.failedSteps.length ? ` — failed step: ${job.failedSteps.map(sanitizeText).join(', ')}` : ''} ([log](${job.htmlUrl}))`,
    );
    const tail = sanitizeText(await rc.forge.getJobLogTail(job.id, TAIL_LINES));
    if (tail.trim())
      parts.push(
        '',
        `<details><summary>last ${TAIL_LINES} log lines of ${sanitizeText(job.name)}</summary>`,
        '',
        fenced(tail),
        '',
        '</details>',
      );
  }
  return parts.join('\n') || '- (the forge listed no failed job)';
}

export async function reportCiFailure(rc: RunContext, run: { workflow: string; runId: number; sha: string; url: string }): Promise<string> {
  const names = rc.config.labelNames;
  const existing = await trackingIssue(rc, run.workflow);
  const details = await describeRun(rc, run.runId);
  if (existing) {
    const comments = await rc.forge.listComments(existing.number);
    if (existing.body.includes(run.url) || comments.some((c) => c.body.includes(run.url)))
      return `#${existing.number} already reports run ${run.runId}`;
    await rc.forge.createComment(existing.number, `Still red: [run ${run.runId}](${run.url}) at ${run.sha.slice(0, 7)}.\n\n${details}`);
    return `updated #${existing.number} (${run.workflow} still red)`;
  }
  const labels = [names.ciFailure, ...(rc.config.ciFailureAutofix ? [names.code, names.automerge] : [])];
  await rc.labels.ensure(labels);
  const body = [
    CI_FAILURE_MARKER(run.workflow),
    `The workflow **${run.workflow}** failed on \`${rc.defaultBranch}\` at ${run.sha.slice(0, 7)}: [run ${run.runId}](${run.url}).`,
    '',
    details,
    '',
    rc.config.ciFailureAutofix
      ? `agentloop will try to fix it (\`ci-failure-autofix\`), and closes this issue when the workflow is green again.`
      : `agentloop closes this issue when the workflow is green again. Apply \`${names.code}\` to let an agent try to fix it.`,
  ].join('\n');
  const issue = await rc.forge.createIssue(`CI failing on ${rc.defaultBranch}: ${run.workflow}`, body, labels);
  rc.steps.reached('issue-opened');
  if (rc.config.ciFailureAutofix)
    await rc.forge.dispatchWorkflow(rc.config.codeWorkflow, rc.defaultBranch, { item: '', lane: 'code', chain: '0' });
  return `opened #${issue.number} for ${run.workflow}`;
}

export async function reportCiRecovered(
  rc: RunContext,
  run: { workflow: string; issue: number; runId: number; url: string },
): Promise<string> {
  await rc.forge.createComment(
    run.issue,
    `**${run.workflow}** is green again on \`${rc.defaultBranch}\`: [run ${run.runId}](${run.url}). Closing.`,
  );
  await rc.forge.closeIssue(run.issue);
  return `closed #${run.issue} (${run.workflow} green again)`;
}
