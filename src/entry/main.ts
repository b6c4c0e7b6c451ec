// The action's heavy path, loaded only when the event can mean work (see index.ts).
import { appendFileSync } from 'node:fs';
import * as core from '@actions/core';
import { ConfigError, DEFAULTS, parseConfig } from '../core/config.js';
import { normalizeEvent } from '../core/event.js';
import { PromptError } from '../core/prompt.js';
import { renderSummary } from '../core/summary.js';
import type { Forge } from '../forge/forge.js';
import { createGitHubForge } from '../forge/github.js';
import { readActionsEnv } from '../runtime/actions-env.js';
import { actionsLogger } from '../runtime/actions-logger.js';
import { createRunContext } from '../runtime/run-context.js';
import { secretValues } from '../runtime/secrets.js';
import { tick } from '../runtime/tick.js';

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

export async function main(): Promise<void> {
  const started = Date.now();
  const env = readActionsEnv();
  const log = actionsLogger;
  for (const secret of secretValues(process.env, [env.inputs.token ?? ''])) core.setSecret(secret);
  if (env.forge !== 'github') {
    core.setFailed('This runner is Forgejo/Gitea; this version of agentloop speaks only the GitHub API.');
    return;
  }
  const token = env.inputs.token || process.env.GITHUB_TOKEN || '';
  const local = LOOPBACK.test(`${env.apiUrl}/`);
  const forge: Forge = createGitHubForge({
    token,
    owner: env.owner,
    repo: env.repo,
    baseUrl: env.apiUrl,
    logger: { info: (m) => log.info(m), warning: (m) => log.warning(m) },
    // GitHub asks for spaced writes and patient retries; a forge on this machine (tests, the demo)
    // answers in microseconds, so the same retries run with short waits there.
    spaceWrites: !local,
    retryAfterBaseMs: local ? 20 : 1000,
  });
  const event = normalizeEvent(env.eventName, env.payload);

  let config;
  let defaultBranch = '';
  try {
    const repository = env.payload.repository as { default_branch?: string } | undefined;
    defaultBranch = repository?.default_branch ?? (await forge.getRepo()).defaultBranch;
    const fileName = env.inputs['config-file'] || DEFAULTS['config-file']!;
    const fileText = await forge.getFileText(fileName, defaultBranch);
    config = parseConfig({ inputs: { ...env.inputs, token }, fileText, fileName });
  } catch (err) {
    if (err instanceof ConfigError) {
      core.setFailed(err.message);
      return;
    }
    throw err;
  }
  const rc = createRunContext({ env, config, forge, log, defaultBranch, processEnv: process.env });

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
    dryRun: config.dryRun,
    durationMs: Date.now() - started,
  });
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
  log.info(`agentloop: ${t.kind} — ${t.reason}${report.result ? ` → ${report.result.outcome}: ${report.result.message}` : ''} (${stats.requests} API requests)`);
  if (report.result?.outcome === 'failed') core.setFailed(`agentloop escalated #${report.result.item}: ${report.result.message}`);
}
