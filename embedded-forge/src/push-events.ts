// The events a ref update sends: `push` for the branch, `pull_request` synchronize for each open PR whose
// head it is. Marked automatic when the workflow token caused them (they start no workflow runs).
import type { ForgeEvent } from './events.js';
import type { RepoState, TokenRec } from './state.js';

type Emit = (event: Omit<ForgeEvent, 'repo' | 'ref' | 'sha'> & { ref?: string; sha?: string }, repo: RepoState) => void;

export function emitPushEvents(
  emit: Emit,
  repo: RepoState,
  updates: { ref: string; before: string; after: string }[],
  token: TokenRec | undefined,
  /** The activity of a PR head push: GitHub's `synchronize`, Forgejo's `synchronized`. */
  syncAction = 'synchronize',
): void {
  const login = token?.login ?? repo.owner;
  const automatic = token?.automatic ?? false;
  const repository = { full_name: `${repo.owner}/${repo.name}`, default_branch: repo.defaultBranch };
  for (const u of updates) {
    if (!u.ref.startsWith('refs/heads/') || /^0+$/.test(u.after)) continue;
    const branch = u.ref.slice('refs/heads/'.length);
    emit(
      {
        name: 'push',
        payload: { ref: u.ref, before: u.before, after: u.after, repository, sender: { login } },
        actor: login,
        automatic,
        ref: u.ref,
        sha: u.after,
      },
      repo,
    );
    for (const pull of repo.pulls.values()) {
      const issue = repo.issues.find((i) => i.number === pull.number)!;
      if (pull.headRef !== undefined || pull.head !== branch || issue.state !== 'open') continue;
      emit(
        {
          name: 'pull_request',
          action: syncAction,
          payload: {
            action: syncAction,
            number: pull.number,
            pull_request: { number: pull.number, head: { ref: pull.head, sha: pull.headSha }, base: { ref: pull.base } },
            repository,
            sender: { login },
          },
          actor: login,
          automatic,
          ref: `refs/pull/${pull.number}/merge`,
          sha: pull.headSha,
        },
        repo,
      );
    }
  }
}
