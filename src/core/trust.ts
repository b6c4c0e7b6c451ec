// The one trust rule (DESIGN §8). Every "is this login trusted" question — who may start work, whose
// comments go into a prompt, which status comment and plan are agentloop's own — is answered here.
// agentloop itself is exactly one login: the one its token acts as. Logins compare case-insensitively,
// as GitHub and Forgejo treat them.
import type { Permission } from './model.js';

/** labeler: applied a trigger label. author: wrote a comment agentloop reads (the discussion it gives the agent). */
export type TrustPurpose = 'labeler' | 'author';

export interface Actor {
  login: string;
  type?: string;
}

export interface TrustFacts {
  /**
   * The login agentloop acts as: exactly the one its token acts as on this forge (resolved once per run,
   * services/identity.ts), or none when the run did not need to know. A list only so that "nobody" is [].
   */
  selfLogins: readonly string[];
  allowedBots: readonly string[];
  /**
   * Also the author of agentloop's plans: the plan lane runs on the forge's workflow token (the plan
   * template gives its job nothing else), which may be another login than this run's token.
   */
  planLogins?: readonly string[];
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

/** Is this agentloop itself: exactly the login its token acts as, compared case-insensitively. */
export function isSelf(actor: Actor, facts: TrustFacts): boolean {
  return facts.selfLogins.some((s) => sameLogin(s, actor.login));
}

/**
 * Comments agentloop reads as its own: the status comment (its state) only when agentloop itself wrote
 * it — nobody else's copy of the marker is read or edited, not even a writer's; a plan when agentloop or
 * its plan lane wrote it.
 */
export function ownComment(kind: 'status' | 'plan', author: Actor, facts: TrustFacts): boolean {
  if (isSelf(author, facts)) return true;
  return kind === 'plan' && (facts.planLogins ?? []).some((s) => sameLogin(s, author.login));
}

/** Whether the rule needs the actor's repository permission (self and bots are decided without it). */
export function needsPermission(actor: Actor, facts: TrustFacts): boolean {
  return !isSelf(actor, facts) && !isBot(actor);
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
  if (isSelf(actor, facts)) return { ok: true };
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
