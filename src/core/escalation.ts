// Telling a human (DESIGN §1.4 "explain always", §9): editing the status comment notifies nobody, so every
// escalation to NeedSupervisor also posts one new comment that @-mentions the supervisors — the
// configured `supervisors`, else the writer who applied the item's trigger label. Once per escalation:
// the status comment's hidden state numbers the escalations and records the one announced. Pure.

import type { Approval } from './approval.js';
import type { TriggerInfo } from './snapshot.js';
import { isBot, isSelf, sameLogin, type TrustFacts, trust } from './trust.js';

/** Hidden marker of agentloop's notices (escalations, refusals): never part of a prompt's discussion. */
export const NOTICE_MARKER = '<!-- agentloop:notice -->';

/**
 * A login as both forges allow it: letters and digits, with `-` (GitHub) or `-`, `_` and `.` (Forgejo)
 * inside, at most 40 characters. The `@` in front is optional in the configuration.
 */
export const LOGIN_PATTERN = /^@?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?$/;

/** The login without its `@`, or undefined when it is not a valid login (it is then never mentioned). */
export function cleanLogin(login: string): string | undefined {
  const s = login.trim();
  return LOGIN_PATTERN.test(s) ? s.replace(/^@/, '') : undefined;
}

/** `@a @b` for valid logins only. */
export function mentions(logins: readonly string[]): string {
  return logins
    .map(cleanLogin)
    .filter((l): l is string => l !== undefined)
    .map((l) => `@${l}`)
    .join(' ');
}

/**
 * Text from anywhere else (an agent's message, a path, the forge's error) can mention nobody: a
 * zero-width space after each `@` that starts a login keeps it readable and inert.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}

/** One line of at most `max` characters. */
export function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface SupervisorSources {
  /** The `supervisors` setting: when set, exactly these. */
  configured: readonly string[];
  /** Who applied the trigger labels on the escalated item (and its PR): trusted people among them. */
  triggers: readonly (TriggerInfo | undefined)[];
  /** The approval on record: the writer whose label started this work, after the label itself came off. */
  approved?: Pick<Approval, 'by'> | undefined;
  facts: TrustFacts;
}

/**
 * Whom to mention: the configured supervisors; else the writers who applied the item's trigger labels
 * (people the trust rule accepts as labelers, never agentloop itself or a bot); else the writer on the
 * approval record; else nobody. Valid logins only, each once (case-insensitively).
 */
export function supervisorsFor(s: SupervisorSources): string[] {
  const unique = (logins: (string | undefined)[]) => {
    const out: string[] = [];
    for (const l of logins) if (l !== undefined && !out.some((o) => sameLogin(o, l))) out.push(l);
    return out;
  };
  if (s.configured.length) return unique(s.configured.map(cleanLogin));
  const person = (login: string) => !isSelf({ login }, s.facts) && !isBot({ login });
  const labelers = s.triggers
    .filter((t): t is TriggerInfo => t !== undefined && trust('labeler', t.actor, t.permission, s.facts).ok)
    .filter((t) => !isBot(t.actor) && person(t.actor.login))
    .map((t) => cleanLogin(t.actor.login));
  const found = unique(labelers);
  if (found.length) return found;
  const by = s.approved?.by;
  return by !== undefined && person(by) ? unique([cleanLogin(by)]) : [];
}

export interface Notice {
  /** The escalation's number on this item (1, 2, …). */
  n: number;
  /** Logins to mention (already chosen by supervisorsFor). */
  supervisors: readonly string[];
  /** What happened: the reason the status comment gives. */
  reason: string;
  /** What to do, one sentence without the final period ("remove `NeedSupervisor` and apply `loop/code` again"). */
  todo: string;
  /** The status comment and the run, when known. */
  statusUrl?: string | undefined;
  runUrl?: string | undefined;
}

/** The new comment of one escalation: who, what happened, what to do, where to read more. */
export function escalationNotice(n: Notice): string {
  const who = mentions(n.supervisors);
  const links = [n.statusUrl ? `[status comment](${n.statusUrl})` : '', n.runUrl ? `[run log](${n.runUrl})` : ''].filter(Boolean);
  return [
    `${NOTICE_MARKER}<!-- agentloop:escalation ${n.n} -->`,
    `${who ? `${who} ` : ''}agentloop stopped here and needs a human: ${defuseMentions(oneLine(n.reason))}`,
    '',
    `**What to do:** ${defuseMentions(oneLine(n.todo, 500))}.${links.length ? ` Details: ${links.join(' · ')}.` : ''}`,
  ].join('\n');
}

/** The status comment's line about the notice: whom it mentioned, or that nobody was. */
export function toldLine(supervisors: readonly string[]): string {
  // Named, not mentioned: the notice mentions them; a status comment agentloop creates must not ping twice.
  const named = supervisors.map((l) => `\`@${l}\``).join(', ');
  if (supervisors.length) return `agentloop asked ${named} to look, in a new comment below.`;
  return 'agentloop posted a comment below but mentioned nobody: no `supervisors` are configured and no writer applied a trigger label here. Set `supervisors` in .github/agentloop.yml to have someone told.';
}

/** Is this comment one of agentloop's notices (an escalation or a refusal)? */
export function isNotice(body: string): boolean {
  return body.includes(NOTICE_MARKER);
}
