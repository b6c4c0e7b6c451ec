// A deleted branch closes the open pull requests whose head it was, on both forges: GitHub ("deleting a
// branch also closes any pull requests that were open with the branch as origin", Delete a reference; the
// timeline shows head_ref_deleted) and Forgejo (services/repository/push.go: a deleted ref →
// pull_service.CloseBranchPulls). Whoever deleted it is the actor of the `closed` event.
import { emitItem } from './api-items.js';
import { forgejoEmit } from './forgejo-events.js';
import type { EmbeddedForge } from './server.js';
import type { RepoState, TokenRec } from './state.js';

export async function closeBranchPulls(
  forge: EmbeddedForge,
  repo: RepoState,
  updates: { ref: string; before: string; after: string }[],
  token: TokenRec | undefined,
): Promise<void> {
  const deleted = updates.filter((u) => u.ref.startsWith('refs/heads/') && /^0+$/.test(u.after)).map((u) => u.ref.slice(11));
  if (deleted.length === 0) return;
  const actor: TokenRec = token ?? { login: repo.owner, automatic: false, kind: 'classic' };
  for (const pull of repo.pulls.values()) {
    const issue = repo.issues.find((i) => i.number === pull.number);
    if (issue?.state !== 'open' || pull.merged || pull.headRef !== undefined || !deleted.includes(pull.head)) continue;
    const at = forge.state.now();
    Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
    repo.events.push({ id: forge.state.id(), issue: issue.number, event: 'head_ref_deleted', actor: actor.login, createdAt: at });
    repo.events.push({ id: forge.state.id(), issue: issue.number, event: 'closed', actor: actor.login, createdAt: at });
    if (forge.options.flavor === 'forgejo') await forgejoEmit(forge, repo, issue, 'closed', actor);
    else await emitItem(forge, repo, issue, 'closed', actor);
  }
}
