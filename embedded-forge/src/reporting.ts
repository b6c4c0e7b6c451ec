// What a run reports back to the forge and the test: run events (onRunEvent), GitHub's workflow_run
// events (requested, in_progress, completed — also for runs cancelled by concurrency; never for runs
// more than 3 workflow_run levels deep, GitHub's limit on chaining; Forgejo has none), and per job a
// check run on the run's head sha (GitHub: named by the job, skipped jobs get a completed one) or a
// commit status "<workflow> / <job> (<event>)" (Forgejo).
import { hashPath, repoJson, userJson, workflowRunJson } from './github-json.js';
import type { RunnerHost } from './runner-host.js';
import type { JobRecord, RunConclusion, RunEvent, RunRecord } from './runner-types.js';
import type { CheckRunRec, JobRec, RepoState, StatusRec } from './state.js';

export class Reporter {
  constructor(private readonly host: RunnerHost) {}

  private get forge() {
    return this.host.forge;
  }

  private get opts() {
    return this.host.opts;
  }

  notify(type: RunEvent['type'], run: RunRecord): void {
    try {
      this.opts.onRunEvent?.({ type, run });
    } catch (err) {
      this.host.fail(err);
    }
  }

  /** GitHub's workflow_run event (not on Forgejo; not beyond 3 chained levels). */
  emitWorkflowRun(run: RunRecord, action: 'requested' | 'in_progress' | 'completed'): void {
    if (this.opts.flavor !== 'github' || this.host.stopped() || run.depth >= 3) return;
    const repo = this.forge.state.repos.get(run.repo.toLowerCase());
    if (!repo) return;
    const state = this.forge.state;
    const urls = this.forge.urls;
    const pulls = [...repo.pulls.values()]
      .filter((p) => p.head === run.headBranch && p.headSha === run.headSha && !p.merged)
      .map((p) => ({
        id: p.number,
        number: p.number,
        url: `${urls.api}/repos/${run.repo}/pulls/${p.number}`,
        head: { ref: p.head, sha: p.headSha, repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${run.repo}` } },
        base: { ref: p.base, sha: '', repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${run.repo}` } },
      }));
    const runJson = workflowRunJson(state, repo, run.rec, urls);
    const payload = {
      action,
      workflow_run: {
        ...runJson,
        display_title: run.workflow.name,
        pull_requests: pulls,
        run_started_at: run.rec.createdAt,
        triggering_actor: userJson(state, run.rec.actor, urls),
        jobs_url: `${runJson.url}/jobs`,
        logs_url: `${runJson.url}/logs`,
        workflow_url: `${urls.api}/repos/${run.repo}/actions/workflows/${hashPath(run.workflow.path)}`,
      },
      workflow: {
        id: hashPath(run.workflow.path),
        node_id: `W_${hashPath(run.workflow.path)}`,
        name: run.workflow.name,
        path: run.workflow.path,
        state: 'active',
        url: `${urls.api}/repos/${run.repo}/actions/workflows/${hashPath(run.workflow.path)}`,
        html_url: `${urls.web}/${run.repo}/blob/${repo.defaultBranch}/${run.workflow.path}`,
      },
      repository: repoJson(state, repo, urls),
      sender: userJson(state, run.rec.actor, urls),
    };
    this.forge.emit({ name: 'workflow_run', action, payload, actor: run.rec.actor, automatic: false }, repo);
  }

  /** A job starts: an in-progress check run (GitHub) or a pending status (Forgejo). */
  jobStarted(run: RunRecord, record: JobRecord, rec: JobRec): CheckRunRec | undefined {
    const check = this.opts.flavor === 'github' ? this.createCheckRun(run, record, rec) : undefined;
    if (!check) this.recordStatus(run, record, 'pending');
    return check;
  }

  /** A job that ran has completed at `at`, after starting at `startMs`. */
  jobCompleted(
    run: RunRecord,
    record: JobRecord,
    check: CheckRunRec | undefined,
    conclusion: RunConclusion,
    at: string,
    startMs: number,
  ): void {
    if (check) {
      check.status = 'completed';
      check.conclusion = conclusion;
      check.completedAt = at;
    } else {
      const secs = Math.round((Date.now() - startMs) / 1000);
      // Forgejo (Gitea) maps cancelled jobs to a failure status too.
      const desc =
        conclusion === 'success' ? `Successful in ${secs}s` : conclusion === 'cancelled' ? 'Has been cancelled' : `Failing after ${secs}s`;
      this.recordStatus(run, record, conclusion === 'success' ? 'success' : 'failure', desc);
    }
  }

  /** A job that never ran (skipped, failed or cancelled before it started) has completed at `at`. */
  jobNotRun(run: RunRecord, record: JobRecord, rec: JobRec, conclusion: RunConclusion, at: string): void {
    // GitHub shows skipped (and never-started cancelled) jobs as completed check runs.
    if (this.opts.flavor === 'github') {
      const check = this.createCheckRun(run, record, rec);
      check.status = 'completed';
      check.conclusion = conclusion;
      check.completedAt = at;
    } else if (conclusion !== 'skipped') {
      this.recordStatus(run, record, 'failure', conclusion === 'cancelled' ? 'Has been cancelled' : 'Failing');
    }
  }

  private createCheckRun(run: RunRecord, record: JobRecord, rec: JobRec): CheckRunRec {
    const repo = this.internalsRepo(run);
    const check: CheckRunRec = {
      id: this.forge.state.id(),
      sha: run.headSha,
      name: record.name,
      status: 'in_progress',
      conclusion: null,
      runId: run.id,
      jobId: rec.id,
      startedAt: this.forge.state.now(),
      completedAt: null,
    };
    repo.checkRuns.push(check);
    record.checkRunId = check.id;
    return check;
  }

  private internalsRepo(run: RunRecord): RepoState {
    const repo = this.forge.state.repos.get(run.repo.toLowerCase());
    if (!repo) throw new Error(`unknown repository ${run.repo}`);
    return repo;
  }

  /** Forgejo: a commit status per job, context "<workflow> / <job> (<event>)". */
  private recordStatus(run: RunRecord, record: JobRecord, state: StatusRec['state'], description?: string): void {
    const repo = this.internalsRepo(run);
    repo.statuses.push({
      id: this.forge.state.id(),
      sha: run.headSha,
      context: `${run.workflow.name} / ${record.name} (${run.event.name})`,
      state,
      description: description ?? (state === 'pending' ? 'Has started running' : state === 'success' ? 'Successful' : 'Failing'),
      targetUrl: `${this.forge.urls.web}/${run.repo}/actions/runs/${run.id}/jobs/${record.id}`,
      createdAt: this.forge.state.now(),
    });
  }
}
