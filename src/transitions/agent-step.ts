// Running the agent inside a transition: prompt in, redacted result out, live log in a collapsed group.

import type { AgentSession } from '../agent/port.js';
import type { AgentMode, AgentRunResult } from '../agent/runner.js';
import { modelApiProblem } from '../core/agent-failure.js';
import { redactSecrets } from '../core/redact.js';
import { routeFor } from '../core/routing.js';
import { lastLine } from '../core/text.js';
import type { RunContext } from '../services/context.js';
import { secretValues } from '../services/secrets.js';
import type { TransitionResult } from './result.js';

/** When the agent was not started (dry run), transitions that change code stop: there is no diff to judge. */
export function notStartedStop(item: number, labels: string[], before: string[]): TransitionResult {
  return {
    outcome: 'skipped',
    item,
    labelsBefore: before,
    labelsAfter: labels,
    message: 'dry run: stopped where the agent would have run; nothing was pushed',
  };
}

/**
 * Run the agent the issue's labels route to (config `routes`, else the inputs' agent) in a session.
 * `labels`: the labels of the issue being worked on.
 */
export async function runAgentStep(
  rc: RunContext,
  session: AgentSession,
  name: string,
  mode: AgentMode,
  prompt: string,
  labels: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<AgentRunResult> {
  const cfg = { ...rc.config, ...routeFor(rc.config, labels) };
  const secrets = secretValues(rc.processEnv, [cfg.token]);
  const result = await rc.log.group(`agent (${cfg.agent}, ${name})`, () =>
    session.run({
      agent: cfg.agent,
      command: cfg.agentCommand,
      args: cfg.agentArgs,
      ...(cfg.model ? { model: cfg.model } : {}),
      mode,
      prompt,
      tempDir: rc.env.tempDir,
      timeoutMs: cfg.agentTimeoutMinutes * 60_000,
      env: rc.processEnv,
      extraEnv: { AGENTLOOP_TRANSITION: name, ...extraEnv },
      onOutput: (chunk) => process.stdout.write(redactSecrets(chunk, secrets)),
    }),
  );
  return { ...result, finalMessage: redactSecrets(result.finalMessage, secrets), stderrTail: redactSecrets(result.stderrTail, secrets) };
}

/**
 * What went wrong with an agent run, in words for a status comment: how it ended, what the CLI said
 * (its own error text, e.g. the model API's answer), and what a model API status means.
 */
export function describeAgentFailure(result: AgentRunResult, timeoutMinutes: number): string {
  if (result.timedOut) return `The agent did not finish within ${timeoutMinutes} minutes (agent-timeout-minutes) and was stopped.`;
  const ended =
    result.exitCode !== 0
      ? `The agent exited with ${result.exitCode === null ? `signal ${result.signal}` : `code ${result.exitCode}`}.`
      : 'The agent reported an error.';
  const said = result.finalMessage.trim() ? ` It said: \`${lastLine(result.finalMessage)}\`.` : '';
  const hint = modelApiProblem(`${result.finalMessage}\n${result.stderrTail}`);
  return `${ended}${said}${hint ? ` ${hint}` : ''}`;
}
