// Who may start work (DESIGN §8): writers, agentloop itself, and bots named exactly in allowed-bots.
import type { TriggerInfo } from './snapshot.js';

export type AuthVerdict =
  | { ok: true }
  /** unknown: the check itself failed; fail closed but do not accuse anyone. */
  | { ok: false; unknown: boolean; reason: string };

const WRITERS = new Set(['admin', 'maintain', 'write']);

export function authorizeTrigger(
  trigger: TriggerInfo | undefined,
  opts: { allowedBots: readonly string[]; selfLogins: readonly string[] },
): AuthVerdict {
  if (!trigger) return { ok: false, unknown: true, reason: 'could not tell who applied the label' };
  const { login, type } = trigger.actor;
  if (opts.selfLogins.some((s) => s.toLowerCase() === login.toLowerCase())) return { ok: true };
  if (type === 'Bot' || login.endsWith('[bot]')) {
    // Exact, case-sensitive match: a look-alike name must not pass.
    return opts.allowedBots.includes(login)
      ? { ok: true }
      : { ok: false, unknown: false, reason: `@${login} is a bot that is not listed in allowed-bots` };
  }
  if (trigger.permission === 'unknown') {
    return { ok: false, unknown: true, reason: `could not read @${login}'s permission on this repository` };
  }
  if (WRITERS.has(trigger.permission)) return { ok: true };
  return {
    ok: false,
    unknown: false,
    reason: `@${login} has ${trigger.permission} access; starting agentloop needs write, maintain or admin`,
  };
}
