// `agentloop doctor`: findings about one installation, from what the forge answered (services/doctor-reads.ts
// reads; this file only judges). Each finding is ok, a warning, or a problem, and says the exact fix.
import { type LabelNames, labelCatalog } from './labels.js';

export type Level = 'ok' | 'warning' | 'problem';

export interface Finding {
  level: Level;
  topic: 'version' | 'token' | 'permissions' | 'settings' | 'labels' | 'workflows' | 'secrets' | 'config';
  message: string;
  fix?: string;
}

/** What a token's prefix says it is (GitHub's documented token prefixes). */
export type TokenKindSeen = 'installation' | 'fine-grained' | 'classic' | 'oauth' | 'user-to-server' | 'unknown';

export function tokenKindOf(token: string): TokenKindSeen {
  if (token.startsWith('ghs_')) return 'installation';
  if (token.startsWith('github_pat_')) return 'fine-grained';
  if (token.startsWith('ghp_')) return 'classic';
  if (token.startsWith('gho_')) return 'oauth';
  if (token.startsWith('ghu_')) return 'user-to-server';
  return 'unknown';
}

const KIND_WORDS: Record<TokenKindSeen, string> = {
  installation: "an installation token (ghs_): a GitHub App's, or a workflow's GITHUB_TOKEN",
  'fine-grained': 'a fine-grained personal access token (github_pat_)',
  classic: 'a classic personal access token (ghp_)',
  oauth: 'an OAuth token (gho_, e.g. from `gh auth token`)',
  'user-to-server': 'a GitHub App user token (ghu_), which acts as the user who authorized the App',
  unknown: 'a token of an unknown kind',
};

/** An HTTP answer as the checks need it: the status, and what GitHub said the route needs. */
export interface Answer {
  status: number;
  /** `X-Accepted-GitHub-Permissions` (fine-grained tokens and Apps): e.g. `checks=read`. */
  accepted?: string;
}

/** The permission areas agentloop's token uses, each probed with one GET agentloop itself sends. */
export const AREAS = {
  contents: { name: 'Contents', access: 'Read and write', what: 'read the configuration, push branches, merge' },
  issues: { name: 'Issues', access: 'Read and write', what: 'labels, status comments, the dashboard' },
  pull_requests: { name: 'Pull requests', access: 'Read and write', what: 'open, label and merge PRs' },
  checks: { name: 'Checks', access: 'Read-only', what: 'CI results on PR heads' },
  statuses: { name: 'Commit statuses', access: 'Read-only', what: 'CI results on PR heads' },
  actions: { name: 'Actions', access: 'Read and write', what: 'find running agentloop runs, dispatch the next run' },
} as const;
export type Area = keyof typeof AREAS;

export interface Probe extends Answer {
  area: Area;
  /** `GET /repos/o/r/...` as sent. */
  route: string;
}

export interface TokenFacts {
  kind: TokenKindSeen;
  /** `GET /user`: 200 with a login for user tokens; 403 for installation tokens. */
  user: Answer & { login?: string };
  /** `X-OAuth-Scopes` (classic and OAuth tokens), when the forge sent it. */
  scopes?: string[];
  /** The token's user's role on the repository (`permissions` of `GET /repos/{o}/{r}`), when present. */
  role?: { admin?: boolean; maintain?: boolean; push?: boolean };
}

export interface SettingFacts extends Answer {
  canApprove?: boolean;
}

/** How the code lane's workflow gives agentloop its token (from the installed workflow). */
export type CodeTokenSource = 'workflow' | 'secret-or-workflow' | 'secret' | 'app' | 'none';

export function tokenFindings(repo: string, t: TokenFacts): Finding[] {
  const who = t.user.login ? ` acting as @${t.user.login}` : '';
  const out: Finding[] = [];
  if (t.kind === 'installation') {
    out.push({
      level: 'ok',
      topic: 'token',
      message: `${KIND_WORDS[t.kind]}. An App's writes start workflows (the workflow token's do not); agentloop needs the App's slug (app-slug) to know who it is`,
    });
  } else if (t.kind === 'unknown' || t.kind === 'user-to-server') {
    out.push({
      level: 'warning',
      topic: 'token',
      message: `${KIND_WORDS[t.kind]}${who}`,
      fix: 'Use a GitHub App (recommended) or a fine-grained PAT.',
    });
  } else {
    out.push({ level: 'ok', topic: 'token', message: `${KIND_WORDS[t.kind]}${who}` });
  }
  if (t.kind !== 'installation' && t.user.status !== 200) {
    out.push({
      level: 'problem',
      topic: 'token',
      message: `GET /user answered ${t.user.status}: the token is not valid, or agentloop cannot tell whom it acts as`,
      fix: 'Create a new token (README: Tokens) and pass it as GITHUB_TOKEN.',
    });
  }
  if ((t.kind === 'classic' || t.kind === 'oauth') && t.scopes) {
    if (!t.scopes.includes('repo') && !t.scopes.includes('public_repo'))
      out.push({
        level: 'problem',
        topic: 'permissions',
        message: `the token's scopes (${t.scopes.join(', ') || 'none'}) include neither repo nor public_repo: it cannot write issues, branches or PRs`,
        fix: 'Give the token the repo scope (github.com/settings/tokens), or use a fine-grained PAT or an App.',
      });
  }
  if (t.role && t.role.push === false) {
    out.push({
      level: 'problem',
      topic: 'permissions',
      message: `@${t.user.login ?? 'the token user'} has no write access to ${repo}: agentloop cannot label, push or merge as them`,
      fix: `Add @${t.user.login ?? 'the user'} as a collaborator with the Write role (${repo} → Settings → Collaborators).`,
    });
  }
  return out;
}

/** Where to change a token's permissions, by kind. */
function grantFix(kind: TokenKindSeen, area: Area): string {
  const a = AREAS[area];
  switch (kind) {
    case 'fine-grained':
      return area === 'checks'
        ? 'GitHub offers fine-grained PATs no Checks permission. agentloop reads CI from the commit statuses and the Actions jobs instead; checks that other apps report only as check runs stay invisible to it. To see those, use a GitHub App with Checks: Read-only (npx agentloop init --token-kind app --force).'
        : `Edit the token (github.com/settings/personal-access-tokens) → Repository permissions → ${a.name}: ${a.access}.`;
    case 'installation':
      return `In the App's settings → Permissions & events → Repository permissions → ${a.name}: ${a.access}; then accept the new permissions on the installation (Settings → Integrations → GitHub Apps).`;
    case 'classic':
    case 'oauth':
      return 'Give the token the repo scope (github.com/settings/tokens).';
    default:
      return `Give the token ${a.name}: ${a.access}.`;
  }
}

export function permissionFindings(kind: TokenKindSeen, probes: readonly Probe[]): Finding[] {
  const out: Finding[] = [];
  const ok: string[] = [];
  for (const p of probes) {
    const a = AREAS[p.area];
    // A 404 for a file proves the read was allowed (the file is just absent).
    if ((p.status >= 200 && p.status < 300) || (p.area === 'contents' && p.status === 404)) {
      ok.push(a.name);
      continue;
    }
    const needs = p.accepted ? ` (GitHub: the route needs ${p.accepted})` : '';
    const refused = p.status === 401 || p.status === 403 || p.status === 404;
    out.push({
      // Without Checks agentloop still sees CI (commit statuses, Actions jobs): less, not nothing.
      level: refused && p.area !== 'checks' ? 'problem' : 'warning',
      topic: 'permissions',
      message: `the token cannot read ${a.name.toLowerCase()} (${a.what}): ${p.route} answered ${p.status}${needs}`,
      fix: grantFix(kind, p.area),
    });
  }
  if (ok.length)
    out.push({
      level: 'ok',
      topic: 'permissions',
      message: `reads ${ok.join(', ')}; writes are not probed (doctor only reads): the code lane needs ${Object.values(AREAS)
        .filter((a) => a.access !== 'Read-only')
        .map((a) => a.name)
        .join(', ')} with write access`,
    });
  return out;
}

export function settingFindings(repo: string, s: SettingFacts, source: CodeTokenSource): Finding[] {
  const where = `${repo} → Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"`;
  const fix = `Turn on ${where}, or run: gh api -X PUT repos/${repo}/actions/permissions/workflow -F can_approve_pull_request_reviews=true`;
  const out: Finding[] = [];
  if (source === 'workflow')
    out.push({
      level: 'warning',
      topic: 'settings',
      message: 'the code lane runs with the workflow token: the PRs it opens start no CI, so they never turn green',
      fix: 'Use a GitHub App token or a fine-grained PAT for the code lane (npx agentloop init --token-kind app --force).',
    });
  if (s.status !== 200 || s.canApprove === undefined) {
    if (source === 'workflow' || source === 'secret-or-workflow')
      out.push({
        level: 'warning',
        topic: 'settings',
        message: `could not read whether Actions may create pull requests (GET /repos/${repo}/actions/permissions/workflow answered ${s.status}${s.accepted ? `; GitHub: needs ${s.accepted}` : ''})`,
        fix: `Check it yourself: ${where}; or run doctor with a repository admin's token.`,
      });
    return out;
  }
  if (s.canApprove) {
    out.push({ level: 'ok', topic: 'settings', message: 'Actions may create pull requests' });
    return out;
  }
  if (source === 'workflow')
    out.push({
      level: 'problem',
      topic: 'settings',
      message: 'Actions may not create pull requests here, and the code lane runs with the workflow token: it cannot open its PRs',
      fix,
    });
  else if (source === 'secret-or-workflow')
    out.push({
      level: 'warning',
      topic: 'settings',
      message:
        'Actions may not create pull requests here: while the AGENTLOOP_TOKEN secret is unset, the code lane falls back to the workflow token and cannot open its PRs',
      fix: `Set the AGENTLOOP_TOKEN secret (README: Tokens), or: ${fix}`,
    });
  else
    out.push({
      level: 'ok',
      topic: 'settings',
      message: 'Actions may not create pull requests, which agentloop does not need with its own token',
    });
  return out;
}

/** Labels people apply to start work: without them nobody can start anything. */
const ESSENTIAL = new Set(['plan', 'code']);

export function labelFindings(repo: string, names: LabelNames, labels: Answer & { names: readonly string[] }): Finding[] {
  if (labels.status !== 200)
    return [{ level: 'warning', topic: 'labels', message: `could not list labels (GET /repos/${repo}/labels answered ${labels.status})` }];
  const have = new Set(labels.names.map((n) => n.toLowerCase()));
  const missing = labelCatalog(names).filter((l) => !have.has(l.name.toLowerCase()));
  if (missing.length === 0) return [{ level: 'ok', topic: 'labels', message: `all ${labelCatalog(names).length} agentloop labels exist` }];
  const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    {
      level: missing.some((l) => ESSENTIAL.has(l.key)) ? 'problem' : 'warning',
      topic: 'labels',
      message: `missing labels: ${missing.map((l) => l.name).join(', ')}${missing.some((l) => ESSENTIAL.has(l.key)) ? ' (nobody can start work without the trigger labels)' : ''}`,
      fix: [
        `npx agentloop init --repo ${repo} creates them; or:`,
        ...missing.map((l) => `gh label create ${sh(l.name)} -R ${repo} --color ${l.color} --description ${sh(l.description)}`),
      ].join('\n'),
    },
  ];
}

export const LEVEL_ORDER: Record<Level, number> = { problem: 0, warning: 1, ok: 2 };

/** The report as plain lines: each finding, its fix indented under it, and a count. */
export function renderFindings(title: string, findings: readonly Finding[]): string {
  const lines = [title, ''];
  for (const f of findings) {
    lines.push(`${f.level.padEnd(8)} ${f.topic.padEnd(12)} ${f.message}`);
    if (f.fix) for (const [i, l] of f.fix.split('\n').entries()) lines.push(`${' '.repeat(22)}${i === 0 ? 'fix: ' : '     '}${l}`);
  }
  const problems = findings.filter((f) => f.level === 'problem').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  lines.push('', problems || warnings ? `${problems} problem(s), ${warnings} warning(s)` : 'healthy: no problems, no warnings');
  return lines.join('\n');
}
