// The one trust rule (DESIGN §8). Every "is this login trusted" question — who may start work, whose
// status comment or plan agentloop reads — is answered here. Logins compare case-insensitively, as
// GitHub and Forgejo treat them.
import type { Permission } from './model.js';

/** labeler: applied a trigger label. author: wrote a comment agentloop reads as its own state or plan. */
export type TrustPurpose = 'labeler' | 'author';

export interface Actor {
  login: string;
  type?: string;
}

export interface TrustFacts {
  /** The logins agentloop itself acts as. */
  selfLogins: readonly string[];
  allowedBots: readonly string[];
}

export type TrustVerdict =
  | { ok: true }
  /** unknown: the check itself failed; fail closed but do not accuse anyone. */
  | { ok: false; unknown: boolean; reason: string };

const WRITERS = new Set<string>(['admin', 'maintain', 'write']);

export const sameLogin = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function isBot(actor: Actor): boolean {
  return actor.type === 'Bot' || actor.login.toLowerCase().endsWith('[bot]');
}

/** Whether the rule needs the actor's repository permission (self and bots are decided without it). */
export function needsPermission(actor: Actor, facts: TrustFacts): boolean {
  return !facts.selfLogins.some((s) => sameLogin(s, actor.login)) && !isBot(actor);
}

/**
 * Trusted: agentloop itself; a bot only when allow-listed (its permission does not count); a person
 * with write, maintain or admin access. `permission`: what the forge said, 'unknown' if asking failed.
 */
export function trust(
  purpose: TrustPurpose,
  actor: Actor | undefined,
  permission: Permission | 'unknown' | undefined,
  facts: TrustFacts,
): TrustVerdict {
  if (!actor)
    return { ok: false, unknown: true, reason: purpose === 'labeler' ? 'could not tell who applied the label' : 'unknown author' };
  const { login } = actor;
  if (facts.selfLogins.some((s) => sameLogin(s, login))) return { ok: true };
  if (isBot(actor)) {
    return facts.allowedBots.some((b) => sameLogin(b, login))
      ? { ok: true }
      : { ok: false, unknown: false, reason: `@${login} is a bot that is not listed in allowed-bots` };
  }
  if (permission === undefined || permission === 'unknown')
    return { ok: false, unknown: true, reason: `could not read @${login}'s permission on this repository` };
  if (WRITERS.has(permission)) return { ok: true };
  const needed = purpose === 'labeler' ? 'starting agentloop needs write, maintain or admin' : 'agentloop reads only writers here';
  return { ok: false, unknown: false, reason: `@${login} has ${permission} access; ${needed}` };
}
