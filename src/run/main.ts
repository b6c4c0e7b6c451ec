// One run from a typed start: the environment it runs in, where its words and outputs go. The action
// (entry/action.ts) and the CLI (entry/cli.ts) each supply their own RunIO.
import { IsolationError } from '../agent/port.js';
import { ConfigError } from '../core/config.js';
import { normalizeEvent } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import { PromptError } from '../core/prompt.js';
import type { ActionsEnv } from '../core/run-env.js';
import { renderSummary } from '../core/summary.js';
import { secretValues } from '../services/secrets.js';
import { setupRun } from './setup.js';
import { tick } from './tick.js';

export interface RunIO {
  log: Logger;
  debug(message: string): void;
  /** Masks a value in every later log line. */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  /** The job summary (Markdown); dropped where there is none. */
  summary(markdown: string): void;
}

export async function main(env: ActionsEnv, processEnv: NodeJS.ProcessEnv, io: RunIO): Promise<void> {
  const started = Date.now();
  const log = io.log;
  for (const secret of secretValues(processEnv, [env.inputs.token ?? ''])) io.setSecret(secret);
  const event = normalizeEvent(env.eventName, env.payload);
  const setup = await setupRun(env, log, processEnv, event);
  if (!setup.ok) {
    io.setFailed(setup.message);
    return;
  }
  const { rc, forge } = setup;

  let report: Awaited<ReturnType<typeof tick>>;
  try {
    report = await tick(rc, event);
  } catch (err) {
    if (err instanceof PromptError || err instanceof IsolationError || err instanceof ConfigError) {
      io.setFailed(`${err.message}\nNothing was changed.`);
      return;
    }
    const e = err as Error & { status?: number };
    io.debug(e.stack ?? String(e));
    io.setFailed(`agentloop failed${e.status ? ` (HTTP ${e.status})` : ''}: ${e.message}. The sweep repairs anything left in process.`);
    return;
  }
  const t = report.decision.transition;
  const stats = forge.stats();
  io.setOutput('transition', t.kind);
  io.setOutput('reason', t.reason);
  io.setOutput('item', String(report.result?.item ?? ''));
  io.setOutput('outcome', report.result?.outcome ?? 'none');
  io.setOutput('requests', String(stats.requests));
  io.setOutput('labels-before', (report.result?.labelsBefore ?? []).join(','));
  io.setOutput('labels-after', (report.result?.labelsAfter ?? []).join(','));
  if (report.chain) log.info(`next run: ${report.chain.reason}`);
  if (report.budget) log.warning(`agentloop ${report.budget}; the next run continues from there.`);
  io.summary(
    renderSummary({
      event,
      eventName: env.eventName,
      decision: report.decision,
      ...(report.result ? { outcome: report.result } : {}),
      requests: stats.requests,
      budget: { limit: rc.config.operationsPerRun, ...(report.budget ? { stopped: report.budget } : {}) },
      ...(stats.rateLimitRemaining !== undefined ? { rateLimitRemaining: stats.rateLimitRemaining } : {}),
      limits: forge.limits(),
      dryRun: rc.config.dryRun,
      durationMs: Date.now() - started,
    }),
  );
  log.info(
    `agentloop: ${t.kind} — ${t.reason}${report.result ? ` → ${report.result.outcome}: ${report.result.message}` : ''} (${stats.requests} API requests)`,
  );
  if (report.result?.outcome === 'failed') io.setFailed(`agentloop escalated #${report.result.item}: ${report.result.message}`);
}
