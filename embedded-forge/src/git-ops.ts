// Server-side git operations of the embedded forge, run against real bare repositories.
// Everything goes through `git` with argument arrays (never a shell) and a hermetic environment,
// so results do not depend on the machine's git config. Ref updates are compare-and-swap and
// serialized per repository, so concurrent API calls fail loudly instead of losing updates.
// The modules: git-run.ts (running git, errors, lock), git-read.ts (lookups), git-write.ts (commits and
// refs), git-merge.ts (comparisons and merges). Import this one: it is the forge's git API.

export {
  type Comparison,
  compareCommits,
  type Mergeability,
  type MergePullOptions,
  mergeability,
  mergePull,
  type UpdateBranchOptions,
  updateBranch,
} from './git-merge.js';
export {
  type BranchInfo,
  branchRef,
  type CommitInfo,
  cleanPath,
  commitInfo,
  listBranches,
  listFiles,
  listRefs,
  readFile,
  revParse,
  type TreeEntry,
} from './git-read.js';
export {
  FORGE_IDENTITY,
  GitCommandError,
  GitOpError,
  type GitOpErrorCode,
  git,
  hermeticGitEnv,
  type Identity,
  identityEnv,
  MergeConflictError,
  NothingToMergeError,
  RefChangedError,
  RefNotFoundError,
  withRepoLock,
  ZERO_SHA,
} from './git-run.js';
export { type CommitOptions, commitFiles, deleteRef, type InitOptions, initBareRepo, updateRef } from './git-write.js';
