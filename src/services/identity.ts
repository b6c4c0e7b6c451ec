// Who agentloop is on this forge (DESIGN §8): exactly the login its token acts as — nothing else, and
// no other forge's bot names. Resolved once per run in run/setup.ts, with at most one request, and only
// on runs that read items (a sweep deciding on a workflow run's event does not).
//
//   - the workflow token (`token` equals the `workflow-token` input, which defaults to `github.token`):
//     the forge's Actions bot, `github-actions[bot]` on GitHub — no request;
//   - a GitHub App installation token with the `app-slug` input: `<app-slug>[bot]` — no request (such a
//     token may not ask `GET /user`, and `GET /app` needs the App's JWT);
//   - anything else (a PAT): `GET /user` — one request; a token that may not ask and is neither of the
//     above is refused before any write, saying which input to set;
//   - on Forgejo: always `GET /user`, the token's user (a bot user's token); the rules above are GitHub's.
import { isDefaultBranchCi } from '../core/ci.js';
import type { LaneSetting } from '../core/config.js';
import type { LoopEvent } from '../core/event.js';
import type { Forge } from '../forge/forge.js';
import { GITHUB_WORKFLOW_TOKEN_LOGIN } from '../forge/github.js';

export type Identity = { ok: true; login: string; source: string } | { ok: false; message: string };

export interface IdentityInputs {
  token: string;
  /** The workflow's own token (the `workflow-token` input); '' when unknown. */
  workflowToken: string;
  /** The `app-slug` input; '' when unset. */
  appSlug: string;
}

/** The login the forge's workflow token acts as, where agentloop knows it. */
export function workflowTokenLogin(forge: Pick<Forge, 'kind'>): string | undefined {
  return forge.kind === 'github' ? GITHUB_WORKFLOW_TOKEN_LOGIN : undefined;
}

export async function resolveIdentity(forge: Forge, inputs: IdentityInputs): Promise<Identity> {
  if (forge.kind === 'forgejo') return forgejoIdentity(forge);
  const automatic = workflowTokenLogin(forge);
  if (automatic && inputs.workflowToken !== '' && inputs.token === inputs.workflowToken) {
    return { ok: true, login: automatic, source: 'the workflow token' };
  }
  if (inputs.appSlug !== '') return { ok: true, login: `${inputs.appSlug}[bot]`, source: 'the app-slug input' };
  const self = await forge.getSelf();
  if (self && self.login !== '') return { ok: true, login: self.login, source: 'GET /user' };
  return {
    ok: false,
    message:
      'agentloop cannot tell which login its token acts as: the token may not ask the forge (GET /user was refused, as for ' +
      "a GitHub App installation token) and it is not this workflow's own token. Set the action input app-slug to the " +
      "App's slug (actions/create-github-app-token gives it as its app-slug output). Nothing was changed.",
  };
}

/**
 * On Forgejo agentloop is the token's user, always asked (`GET /user`): there are no App tokens, and
 * the automatic workflow token is not a user agentloop can be — it may not read collaborators'
 * permissions either, so it could not authorize anyone (docs/forgejo.md).
 */
async function forgejoIdentity(forge: Forge): Promise<Identity> {
  const self = await forge.getSelf();
  if (self && self.login !== '') return { ok: true, login: self.login, source: 'GET /user' };
  return {
    ok: false,
    message:
      'agentloop cannot tell which Forgejo user its token acts as (GET /user was refused). Give the action a bot ' +
      "user's access token (the token input, from a repository secret) with write access to this repository. Nothing was changed.",
  };
}

/**
 * Whether this run reads or writes items, and so must know who it is. Only a sweep deciding on a
 * workflow run's event does not: it reads no comments and trusts no labels.
 */
export function identityNeeded(event: LoopEvent, lane: LaneSetting, defaultBranch: string): boolean {
  if (event.kind !== 'ci') return true;
  const resolved = lane === 'auto' ? (isDefaultBranchCi(event, defaultBranch) ? 'sweep' : 'code') : lane;
  return resolved !== 'sweep';
}
