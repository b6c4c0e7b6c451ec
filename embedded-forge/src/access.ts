// Who may do what (docs/embedded-forge.md, "Tokens and permissions"): a request passes when the token
// reaches the repository, its login has the role the route needs (PATs act as their user), and its
// fine-grained permissions (workflow token, App installation token, fine-grained PAT) or OAuth scopes
// (classic PAT) cover the route (route-permissions.ts). Refusals use GitHub's words and headers.
import { HttpError } from './http-util.js';
import { acceptedHeader, type PermissionSet, type RouteRule, satisfies } from './route-permissions.js';
import type { Permission, RepoState, TokenRec } from './state.js';

export const NOT_ACCESSIBLE_BY_INTEGRATION = 'Resource not accessible by integration';
export const NOT_ACCESSIBLE_BY_PAT = 'Resource not accessible by personal access token';

/** A person's role on a repository: collaborators' own; anyone else reads a public repository and nothing of a private one. */
export function permissionOf(repo: RepoState, login: string): Permission {
  return repo.collaborators.get(login.toLowerCase()) ?? (repo.private ? 'none' : 'read');
}

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
export const roleAllows = (p: Permission, needs: Permission) => RANK[p] >= RANK[needs];

/** Installation tokens (the workflow token and GitHub App tokens) act as an app, not as a person. */
export const isIntegration = (t: TokenRec) => t.kind === 'workflow' || t.kind === 'app';
/** Tokens of the fine-grained model: their permissions decide, and GitHub answers X-Accepted-GitHub-Permissions. */
export const isFineGrained = (t: TokenRec) => t.kind !== 'classic';

const reaches = (t: TokenRec, repo: RepoState) => !t.repos || t.repos.includes(`${repo.owner}/${repo.name}`.toLowerCase());

/** The 403 a fine-grained token gets for a missing permission. */
export function notAccessible(t: TokenRec, docs: string, accepted: PermissionSet[]): HttpError {
  const err = new HttpError(403, isIntegration(t) ? NOT_ACCESSIBLE_BY_INTEGRATION : NOT_ACCESSIBLE_BY_PAT, { documentation_url: docs });
  err.headers['x-accepted-github-permissions'] = acceptedHeader(accepted);
  return err;
}

/** The sets that allow a rule's request; on a pull request, issue routes accept pull_requests too. */
export function acceptedFor(rule: RouteRule, isPull: boolean): PermissionSet[] {
  if (!isPull || !rule.pullRequestsToo) return rule.accepted;
  const alt = rule.accepted.map((set) => {
    const out: PermissionSet = {};
    for (const [scope, access] of Object.entries(set)) out[scope === 'issues' ? 'pull_requests' : (scope as keyof PermissionSet)] = access;
    return out;
  });
  return [...rule.accepted, ...alt];
}

/** Headers GitHub sends about the token and the route (on success and refusal alike). */
export function accessHeaders(t: TokenRec, rule: RouteRule, isPull: boolean, repoScoped: boolean): Record<string, string> {
  if (!isFineGrained(t)) return { 'x-oauth-scopes': (t.scopes ?? []).join(', '), 'x-accepted-oauth-scopes': repoScoped ? 'repo' : '' };
  const accepted = acceptedFor(rule, isPull);
  return accepted.length ? { 'x-accepted-github-permissions': acceptedHeader(accepted) } : {};
}

/**
 * Checks a request against its rule; throws GitHub's refusal (404 where GitHub hides the repository,
 * 403 otherwise). `repo` is undefined for routes outside a repository.
 */
export function checkAccess(repo: RepoState | undefined, t: TokenRec, rule: RouteRule, method: string, isPull = false): void {
  const docs = { documentation_url: rule.docs };
  if (rule.userOnly) {
    if (isIntegration(t)) throw new HttpError(403, NOT_ACCESSIBLE_BY_INTEGRATION, docs);
    return;
  }
  if (!repo) return;
  if (!reaches(t, repo)) throw new HttpError(404, 'Not Found', docs);
  const reading = method === 'GET' || method === 'HEAD';
  if (!isIntegration(t)) {
    const role = permissionOf(repo, t.login);
    if (role === 'none') throw new HttpError(404, 'Not Found', docs);
    if (!roleAllows(role, rule.role)) {
      const words =
        rule.role === 'admin'
          ? 'Must have admin rights to Repository.'
          : `Must have ${rule.role === 'write' ? 'push' : rule.role} access to repository.`;
      throw new HttpError(403, words, docs);
    }
  }
  if (!isFineGrained(t)) {
    // Classic PATs: `repo` for a private repository (without it GitHub hides the repository), `repo` or
    // `public_repo` to write to a public one.
    const scopes = t.scopes ?? [];
    if (repo.private && !scopes.includes('repo')) throw new HttpError(404, 'Not Found', docs);
    if (!repo.private && !reading && !scopes.includes('repo') && !scopes.includes('public_repo'))
      throw new HttpError(404, 'Not Found', docs);
    return;
  }
  // Anyone may read a public repository's public resources.
  if (!repo.private && reading) return;
  const accepted = acceptedFor(rule, isPull);
  // Fine-grained PATs cannot hold the Checks permission at all.
  if (t.kind === 'fine-grained' && accepted.every((set) => set.checks !== undefined)) throw notAccessible(t, rule.docs, accepted);
  if (!accepted.some((set) => satisfies(t.permissions ?? {}, set))) throw notAccessible(t, rule.docs, accepted);
}

/**
 * "Only users with push access can set labels for new issues. Labels are silently dropped otherwise."
 * A person needs write (push) access; an installation token acts through its issues permission.
 */
export function maySetLabelsOnCreate(repo: RepoState, t: TokenRec): boolean {
  if (isIntegration(t)) return satisfies(t.permissions ?? {}, { issues: 'write' });
  return roleAllows(permissionOf(repo, t.login), 'write');
}

export type GitAccess = { ok: true } | { ok: false; status: 401 | 403 | 404; message: string };

/** git over smart HTTP: fetch needs contents: read, push contents: write, and the login's role. */
export function gitAccess(repo: RepoState, t: TokenRec, rule: RouteRule, write: boolean): GitAccess {
  try {
    checkAccess(repo, t, rule, write ? 'POST' : 'GET');
    return { ok: true };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (err.status === 404) return { ok: false, status: 404, message: 'Repository not found.' };
    return { ok: false, status: 403, message: `Permission to ${repo.owner}/${repo.name}.git denied to ${t.login}.` };
  }
}
