// Minting tokens of GitHub's four profiles onto the forge's state (docs/embedded-forge.md, "Tokens and
// permissions"). Token strings have GitHub's prefixes: `ghp_` classic PAT, `github_pat_` fine-grained
// PAT, `ghs_` installation tokens (GitHub Apps and the workflow token).
import { randomBytes } from 'node:crypto';
import { type PermissionSet, workflowTokenPermissions } from './route-permissions.js';
import type { ForgeState, RepoState, TokenRec } from './state.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

const fullName = (r: RepoState) => `${r.owner}/${r.name}`.toLowerCase();

/** An App installation token lives an hour (docs: "Generating an installation access token for a GitHub App"). */
export const APP_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export function mint(state: ForgeState, rec: TokenRec): string {
  const token =
    rec.kind === 'classic'
      ? `ghp_${randomText(36)}`
      : rec.kind === 'fine-grained'
        ? `github_pat_${randomText(22)}_${randomText(59)}`
        : `ghs_${randomText(36)}`;
  state.addToken(token, rec);
  if (rec.kind === 'workflow' || rec.kind === 'app') state.user(rec.login).type = 'Bot';
  return token;
}

export interface RepoLimit {
  /** Only these repositories (default: every repository the login may reach). */
  repos?: RepoState[];
}

export function classicToken(state: ForgeState, login: string, scopes: string[]): string {
  return mint(state, { login, automatic: false, kind: 'classic', scopes: [...scopes] });
}

export function fineGrainedToken(state: ForgeState, login: string, permissions: PermissionSet, opts: RepoLimit = {}): string {
  return mint(state, {
    login,
    automatic: false,
    kind: 'fine-grained',
    permissions: { ...permissions, metadata: 'read' },
    ...(opts.repos ? { repos: opts.repos.map(fullName) } : {}),
  });
}

export interface AppTokenOptions extends RepoLimit {
  /** Default one hour. */
  expiresInMs?: number;
}

export function appToken(state: ForgeState, slug: string, permissions: PermissionSet, opts: AppTokenOptions = {}): string {
  return mint(state, {
    login: `${slug}[bot]`,
    automatic: false,
    kind: 'app',
    permissions: { ...permissions, metadata: 'read' },
    expiresAt: state.clock().getTime() + (opts.expiresInMs ?? APP_TOKEN_LIFETIME_MS),
    ...(opts.repos ? { repos: opts.repos.map(fullName) } : {}),
  });
}

/** The workflow token of one job: only its repository, its job's permissions, no `workflows`. */
export function workflowToken(state: ForgeState, repo: RepoState | undefined, permissions: PermissionSet, login: string): string {
  const { workflows: _never, ...perms } = permissions;
  return mint(state, {
    login,
    automatic: true,
    kind: 'workflow',
    permissions: { ...perms, metadata: 'read' },
    ...(repo ? { repos: [fullName(repo)] } : {}),
  });
}

/** `write-all` for any repository: the legacy shorthand `forge.token(login, true)`. */
export const WRITE_ALL = workflowTokenPermissions('write-all', 'write');
