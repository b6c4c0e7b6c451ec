// The action's heavy path, loaded only when the event can mean work (see index.ts).
import { appendFileSync } from 'node:fs';
import * as core from '@actions/core';
import { normalizeEvent } from '../core/event.js';
import { PromptError } from '../core/prompt.js';
import { renderSummary } from '../core/summary.js';
import { readActionsEnv } from '../runtime/actions-env.js';
import { actionsLogger } from '../runtime/actions-logger.js';
import { secretValues } from '../runtime/secrets.js';
import { tick } from '../runtime/tick.js';
import { setupRun } from './setup.js';

export async function main(): Promise<void> {
  const started = Date.now();
  const env = readActionsEnv();
  const log = actionsLogger;
  for (const secret of secretValues(process.env, [env.inputs.token ?? ''])) core.setSecret(secret);
  const event = normalizeEvent(env.eventName, env.payload);
  const setup = await setupRun(env, log, process.env);
  if (!setup.ok) {
    core.setFailed(setup.message);
    return;
  }
  const { rc, forge } = setup;

  let report;
  try {
    report = await tick(rc, event);
  } catch (err) {
    if (err instanceof PromptError) {
      core.setFailed(`${err.message}\nNothing was changed.`);
      return;
    }
    const e = err as Error & { status?: number };
    core.debug(e.stack ?? String(e));
    core.setFailed(`agentloop failed${e.status ? ` (HTTP ${e.status})` : ''}: ${e.message}. The sweep repairs anything left in process.`);
    return;
  }
  const t = report.decision.transition;
  const stats = forge.stats();
  core.setOutput('transition', t.kind);
  core.setOutput('reason', t.reason);
  core.setOutput('item', String(report.result?.item ?? ''));
  core.setOutput('outcome', report.result?.outcome ?? 'none');
  core.setOutput('requests', String(stats.requests));
  core.setOutput('labels-before', (report.result?.labelsBefore ?? []).join(','));
  core.setOutput('labels-after', (report.result?.labelsAfter ?? []).join(','));
  if (report.chain) log.info(`next run: ${report.chain.reason}`);
  const summary = renderSummary({
    event,
    eventName: env.eventName,
    decision: report.decision,
    ...(report.result ? { outcome: report.result } : {}),
    requests: stats.requests,
    ...(stats.rateLimitRemaining !== undefined ? { rateLimitRemaining: stats.rateLimitRemaining } : {}),
    dryRun: rc.config.dryRun,
    durationMs: Date.now() - started,
  });
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
  log.info(`agentloop: ${t.kind} — ${t.reason}${report.result ? ` → ${report.result.outcome}: ${report.result.message}` : ''} (${stats.requests} API requests)`);
  if (report.result?.outcome === 'failed') core.setFailed(`agentloop escalated #${report.result.item}: ${report.result.message}`);
}
