// Which workflow runs an event starts (GitHub flavor unless noted): the commit whose workflow files the
// forge reads — the default branch for issues, issue_comment, schedule, workflow_run,
// pull_request_target, repository_dispatch; the dispatched ref for workflow_dispatch; the pushed sha
// for push; the PR head sha for pull_request and review events (GitHub uses the merge commit — the head
// is close enough here; Forgejo reads a review's workflows at the reviewed commit) — and the planned runs
// (workflow-engine.ts). A conflicting PR gets no `pull_request` run.
// Also the events the runner itself originates: schedule ticks and validated workflow dispatches.
import type { ForgeEvent } from './events.js';
import * as git from './git-ops.js';
import { repoJson, userJson } from './github-json.js';
import type { RunnerOptions } from './runner-types.js';
import type { EmbeddedForge } from './server.js';
import type { RepoState, TokenRec } from './state.js';
import {
  get,
  type PlannedRun,
  parseWorkflowFile,
  planEvent,
  selectWorkflowPaths,
  type TriggerEvent,
  validateDispatchInputs,
  type WorkflowFile,
} from './workflow-engine.js';

const SHA_RE = /^[0-9a-f]{40}$/;
const ZERO = /^0+$/;

/** One event target: which commit's workflows to read and which event to plan. */
export interface Target {
  filesSha: string;
  trigger: TriggerEvent;
  /** Keep only runs for this workflow event name (pull_request: the head plan excludes pull_request_target). */
  keep?: string;
  headSha: string;
  headBranch: string;
}

export class Triggers {
  /** Workflow files that failed validation, as seen while planning (path → errors). */
  readonly invalidWorkflows = new Map<string, string[]>();
  private readonly fileCache = new Map<string, WorkflowFile[]>();

  constructor(
    private readonly forge: EmbeddedForge,
    private readonly opts: RunnerOptions,
  ) {}

  /** Plans the runs an event starts; `onRun` is called as each is planned (run ids are allocated in order). */
  async plan(repo: RepoState, ev: ForgeEvent, onRun: (t: Target, p: PlannedRun) => void): Promise<void> {
    for (const t of await this.targets(repo, ev)) {
      const files = await this.workflowFiles(repo, t.filesSha);
      if (files.length === 0) continue;
      const plan = await planEvent(
        files,
        t.trigger,
        this.opts.flavor,
        { owner: repo.owner, name: repo.name, defaultBranch: repo.defaultBranch },
        {
          vars: this.opts.vars ?? {},
          allocateRunId: () => this.forge.state.id(),
          github: { serverUrl: this.forge.urls.web, apiUrl: this.forge.urls.api, actor: ev.actor },
        },
      );
      for (const bad of plan.invalid) this.invalidWorkflows.set(bad.path, bad.errors);
      for (const p of plan.runs) {
        if (t.keep && p.event.name !== t.keep) continue;
        onRun(t, p);
      }
    }
  }

  /** A schedule tick: one `schedule` event per distinct cron of the default branch's workflows. */
  async scheduleTick(repo: RepoState): Promise<void> {
    const sha = await git.revParse(repo.gitDir, git.branchRef(repo.defaultBranch));
    if (!sha) return;
    const crons = new Set<string>();
    for (const file of await this.workflowFiles(repo, sha)) {
      const wf = await parseWorkflowFile(file);
      for (const s of wf.on.schedule ?? []) crons.add(s.cron);
    }
    for (const cron of crons) {
      this.forge.emit(
        {
          name: 'schedule',
          payload: { schedule: cron, repository: repoJson(this.forge.state, repo, this.forge.urls) },
          actor: repo.owner,
          automatic: false,
          ref: git.branchRef(repo.defaultBranch),
          sha,
        },
        repo,
      );
    }
  }

  /** forge.onDispatch: validates like GitHub (404 unknown workflow, 422 no trigger / bad inputs / bad ref). */
  async dispatch(
    repo: RepoState,
    workflowPath: string,
    ref: string,
    inputs: Record<string, unknown>,
    token: TokenRec,
  ): Promise<boolean | string> {
    const fullRef = ref.startsWith('refs/') ? ref : SHA_RE.test(ref) ? ref : `refs/heads/${ref}`;
    const sha = await git.revParse(repo.gitDir, fullRef);
    if (!sha) return `No ref found for: ${ref}`;
    const text = await git.readFile(repo.gitDir, sha, workflowPath);
    if (text === null) return false;
    const wf = await parseWorkflowFile({ path: workflowPath, text });
    const problems = wf.errors.length > 0 ? wf.errors : validateDispatchInputs(wf, inputs);
    if (problems.length > 0) return problems.join('; ');
    this.forge.emit(
      {
        name: 'workflow_dispatch',
        payload: {
          inputs,
          ref: fullRef,
          repository: repoJson(this.forge.state, repo, this.forge.urls),
          sender: userJson(this.forge.state, token.login, this.forge.urls),
          workflow: workflowPath,
        },
        actor: token.login,
        automatic: token.automatic,
        ref: fullRef,
        sha,
        workflowPath,
      },
      repo,
    );
    return true;
  }

  /** Workflow files at a commit, as the forge looks for them (cached: commits are immutable). */
  async workflowFiles(repo: RepoState, sha: string): Promise<WorkflowFile[]> {
    const key = `${repo.gitDir}@${sha}`;
    const cached = this.fileCache.get(key);
    if (cached) return cached;
    const dirs = this.opts.flavor === 'github' ? ['.github/workflows'] : ['.forgejo/workflows', '.gitea/workflows', '.github/workflows'];
    const paths: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of (await git.listFiles(repo.gitDir, sha, dir)) ?? []) {
        if (e.type === 'file' || e.type === 'symlink') paths.push(e.path);
        else if (e.type === 'dir' && this.opts.flavor === 'forgejo') await walk(e.path);
      }
    };
    for (const d of dirs) await walk(d);
    const files: WorkflowFile[] = [];
    for (const p of selectWorkflowPaths(paths, this.opts.flavor)) {
      const text = await git.readFile(repo.gitDir, sha, p);
      if (text !== null) files.push({ path: p, text });
    }
    this.fileCache.set(key, files);
    return files;
  }

  async changedFiles(repo: RepoState, base: string, head: string, threeDot: boolean): Promise<string[] | undefined> {
    try {
      const r = await git.git(repo.gitDir, ['diff', '--name-only', '-z', threeDot ? `${base}...${head}` : `${base}..${head}`]);
      return r.stdout.split('\0').filter((p) => p !== '');
    } catch {
      return undefined;
    }
  }

  async targets(repo: RepoState, ev: ForgeEvent): Promise<Target[]> {
    const defaultRef = git.branchRef(repo.defaultBranch);
    const defaultSha = await git.revParse(repo.gitDir, defaultRef);
    const base: Omit<TriggerEvent, 'ref' | 'sha'> = {
      name: ev.name,
      payload: ev.payload,
      ...(ev.action !== undefined ? { action: ev.action } : {}),
    };
    const onDefault = (): Target[] =>
      defaultSha
        ? [
            {
              filesSha: defaultSha,
              trigger: { ...base, ref: defaultRef, sha: defaultSha },
              headSha: defaultSha,
              headBranch: repo.defaultBranch,
            },
          ]
        : [];

    switch (ev.name) {
      case 'push': {
        const sha = ev.sha || String(get(ev.payload, 'after') ?? '');
        if (!SHA_RE.test(sha) || ZERO.test(sha)) return [];
        const before = String(get(ev.payload, 'before') ?? '');
        const changed = SHA_RE.test(before) && !ZERO.test(before) ? await this.changedFiles(repo, before, sha, false) : undefined;
        const ref = ev.ref || String(get(ev.payload, 'ref') ?? '');
        return [
          {
            filesSha: sha,
            trigger: { ...base, ref, sha, ...(changed ? { changedFiles: changed } : {}) },
            headSha: sha,
            headBranch: ref.replace(/^refs\/(heads|tags)\//, ''),
          },
        ];
      }
      case 'pull_request': {
        const number = Number(get(ev.payload, 'number') ?? get(ev.payload, 'pull_request', 'number'));
        const pull = repo.pulls.get(number);
        const headSha =
          (SHA_RE.test(ev.sha) ? ev.sha : undefined) ??
          (get(ev.payload, 'pull_request', 'head', 'sha') as string | undefined) ??
          pull?.headSha ??
          '';
        const headBranch = pull?.head ?? String(get(ev.payload, 'pull_request', 'head', 'ref') ?? '');
        const baseBranch = pull?.base ?? String(get(ev.payload, 'pull_request', 'base', 'ref') ?? repo.defaultBranch);
        const baseSha = await git.revParse(repo.gitDir, git.branchRef(baseBranch));
        const out: Target[] = [];
        const changed = baseSha && headSha ? await this.changedFiles(repo, baseSha, headSha, true) : undefined;
        const extra = changed ? { changedFiles: changed } : {};
        // GitHub: "Workflows will not run on pull_request activity if the pull request has a merge
        // conflict" (pull_request_target runs still do).
        const conflicting =
          pull !== undefined && !pull.merged && baseSha !== null && SHA_RE.test(headSha)
            ? !(await git.mergeability(repo.gitDir, baseSha, headSha)).mergeable
            : false;
        if (SHA_RE.test(headSha) && !conflicting) {
          out.push({
            filesSha: headSha,
            trigger: { ...base, ref: `refs/pull/${number}/merge`, sha: headSha, ...extra },
            keep: 'pull_request',
            headSha,
            headBranch,
          });
        }
        if (baseSha) {
          // pull_request_target: the base branch's workflows, at the base branch's head.
          out.push({
            filesSha: baseSha,
            trigger: { ...base, name: 'pull_request_target', ref: git.branchRef(baseBranch), sha: baseSha, ...extra },
            keep: 'pull_request_target',
            headSha: baseSha,
            headBranch,
          });
        }
        return out;
      }
      case 'pull_request_review':
      case 'pull_request_review_comment':
      case 'pull_request_review_approved':
      case 'pull_request_review_rejected': {
        // At the sha the event names: on GitHub the PR's head (its merge commit stands in: GITHUB_REF is
        // refs/pull/N/merge, docs "Events that trigger workflows"), on Forgejo the reviewed commit (its
        // notifier's WithRef(review.CommitID), which is also the run's ref). No pull_request_target here.
        const number = Number(get(ev.payload, 'number') ?? get(ev.payload, 'pull_request', 'number'));
        const pull = repo.pulls.get(number);
        const sha = SHA_RE.test(ev.sha) ? ev.sha : (pull?.headSha ?? '');
        if (!SHA_RE.test(sha)) return [];
        return [
          {
            filesSha: sha,
            trigger: { ...base, ref: ev.ref || `refs/pull/${number}/merge`, sha },
            headSha: sha,
            headBranch: pull?.head ?? String(get(ev.payload, 'pull_request', 'head', 'ref') ?? ''),
          },
        ];
      }
      case 'workflow_dispatch': {
        const ref = ev.ref || defaultRef;
        const sha = (SHA_RE.test(ev.sha) ? ev.sha : null) ?? (await git.revParse(repo.gitDir, ref));
        if (!sha) return [];
        return [
          {
            filesSha: sha,
            trigger: { ...base, ref, sha, ...(ev.workflowPath ? { workflowPath: ev.workflowPath } : {}) },
            headSha: sha,
            headBranch: ref.replace(/^refs\/(heads|tags)\//, ''),
          },
        ];
      }
      default:
        // issues, issue_comment, schedule, workflow_run, repository_dispatch, …: the default branch.
        return onDefault();
    }
  }
}
