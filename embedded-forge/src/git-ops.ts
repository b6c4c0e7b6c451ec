// Server-side git operations of the embedded forge, run against real bare repositories.
// Everything goes through `git` with argument arrays (never a shell) and a hermetic environment,
// so results do not depend on the machine's git config. Ref updates are compare-and-swap and
// serialized per repository, so concurrent API calls fail loudly instead of losing updates.
// The modules: git-run.ts (running git, errors, lock), git-read.ts (lookups), git-write.ts (commits and
// refs), git-merge.ts (comparisons and merges). Import this one: it is the forge's git API.
export {
  FORGE_IDENTITY,
  git,
  GitCommandError,
  GitOpError,
  hermeticGitEnv,
  identityEnv,
  MergeConflictError,
  NothingToMergeError,
  RefChangedError,
  RefNotFoundError,
  withRepoLock,
  ZERO_SHA,
  type GitOpErrorCode,
  type Identity,
} from './git-run.js';
export { branchRef, commitInfo, listBranches, listFiles, listRefs, readFile, revParse, type BranchInfo, type CommitInfo, type TreeEntry } from './git-read.js';
export { commitFiles, deleteRef, initBareRepo, updateRef, type CommitOptions, type InitOptions } from './git-write.js';
export {
  compareCommits,
  mergeability,
  mergePull,
  updateBranch,
  type Comparison,
  type Mergeability,
  type MergePullOptions,
  type UpdateBranchOptions,
} from './git-merge.js';
