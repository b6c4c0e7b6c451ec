// Pull requests as the forge keeps them current: heads follow their refs, and mergeability is computed
// asynchronously — GitHub answers `mergeable: null` while "a background job" computes it after the head
// or the base moved (docs: "Get a pull request"); here for a configurable number of reads after each
// change (`mergeableNullReads`, or `mergeableUnknownFor` for one PR). Also the branch-protection knobs
// that shape `mergeable_state`.
import * as git from './git-ops.js';
import type { PullRec, RepoState } from './state.js';

/** The ref of this repository that holds a PR's head (a fork PR's lives under refs/pull/N/head). */
export const headRefOf = (pull: PullRec) => pull.headRef ?? `refs/heads/${pull.head}`;

export class PullStates {
  private readonly nullReads = new Map<string, number>();
  /** Branch protection "require an approving review": PRs are blocked and merges refused (owner/name, lower case). */
  readonly reviewRequired = new Set<string>();
  /** Branch protection "require branches to be up to date" for the default branch (owner/name, lower case). */
  readonly strictBranches = new Set<string>();

  constructor(private readonly nullReadsAfterChange: () => number) {}

  /** Make the next `reads` reads of a PR answer mergeable: null. */
  unknownFor(repo: RepoState, pull: number, reads: number): void {
    this.nullReads.set(`${repo.id}#${pull}`, reads);
  }

  /** Merge state of a PR as GitHub would report it now (null while "computing"). */
  async mergeState(repo: RepoState, pull: PullRec): Promise<{ mergeable: boolean | null; mergeableState: string }> {
    const key = `${repo.id}#${pull.number}`;
    const left = this.nullReads.get(key) ?? 0;
    if (pull.merged) return { mergeable: null, mergeableState: 'unknown' };
    if (left > 0) {
      this.nullReads.set(key, left - 1);
      return { mergeable: null, mergeableState: 'unknown' };
    }
    // A closed PR whose head branch was deleted still reads (GitHub and Forgejo keep its head SHA);
    // there is nothing to merge, so nothing is computed.
    if ((await git.revParse(repo.gitDir, headRefOf(pull))) === null) return { mergeable: null, mergeableState: 'unknown' };
    const m = await git.mergeability(repo.gitDir, pull.base, headRefOf(pull));
    if (!m.mergeable) return { mergeable: false, mergeableState: 'dirty' };
    if (pull.draft) return { mergeable: true, mergeableState: 'draft' };
    const full = `${repo.owner}/${repo.name}`.toLowerCase();
    if (this.reviewRequired.has(full)) return { mergeable: true, mergeableState: 'blocked' };
    if (m.behindBy > 0 && this.strictBranches.has(full)) return { mergeable: true, mergeableState: 'behind' };
    // No required checks configured: any failing check makes it "unstable" (still mergeable).
    const failing =
      repo.checkRuns.some((c) => c.sha === pull.headSha && c.conclusion === 'failure') ||
      repo.statuses.some((st) => st.sha === pull.headSha && (st.state === 'failure' || st.state === 'error'));
    return { mergeable: true, mergeableState: failing ? 'unstable' : 'clean' };
  }

  /** Heads follow their refs; a moved head or base makes mergeability unknown again. */
  async sync(repo: RepoState, movedBranches: string[] = []): Promise<void> {
    for (const pull of repo.pulls.values()) {
      const sha = await git.revParse(repo.gitDir, headRefOf(pull));
      const headMoved = sha !== null && sha !== pull.headSha;
      if (headMoved) pull.headSha = sha;
      if (headMoved || movedBranches.includes(pull.base)) this.unknownFor(repo, pull.number, this.nullReadsAfterChange());
    }
  }
}
