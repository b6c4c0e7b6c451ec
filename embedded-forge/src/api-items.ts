// Issue and pull request records as the API changes them: lookups, labels (with their events and
// webhooks, one `labeled` per new label as GitHub sends), and the item webhooks.

import type { ApiHost } from './api-router.js';
import { issueJson, labelJson, pullJson, repoJson, userJson } from './github-json.js';
import { notFound } from './http-util.js';
import type { IssueRec, PullRec, RepoState, TokenRec } from './state.js';

export const now = (host: ApiHost) => host.state.now();
export const num = (v: string | undefined) => Number.parseInt(v ?? '', 10);

export function issueOf(repo: RepoState, n: number): IssueRec {
  const issue = repo.issues.find((i) => i.number === n);
  if (!issue) throw notFound();
  return issue;
}

export function pullOf(repo: RepoState, n: number): { issue: IssueRec; pull: PullRec } {
  const pull = repo.pulls.get(n);
  if (!pull) throw notFound();
  return { issue: issueOf(repo, n), pull };
}

function issuePayload(_host: ApiHost, _repo: RepoState, issue: IssueRec) {
  return issue.isPull ? { name: 'pull_request', key: 'pull_request' as const } : { name: 'issues', key: 'issue' as const };
}

export async function itemJsonFor(host: ApiHost, repo: RepoState, issue: IssueRec) {
  if (!issue.isPull) return issueJson(host.state, repo, issue, host.urls);
  const pull = repo.pulls.get(issue.number)!;
  return pullJson(host.state, repo, issue, pull, host.urls, await host.mergeState(repo, pull));
}

export async function emitItem(
  host: ApiHost,
  repo: RepoState,
  issue: IssueRec,
  action: string,
  token: TokenRec,
  extra: Record<string, unknown> = {},
) {
  const { name, key } = issuePayload(host, repo, issue);
  host.emit(
    {
      name,
      action,
      payload: {
        action,
        ...(issue.isPull ? { number: issue.number } : {}),
        [key]: await itemJsonFor(host, repo, issue),
        ...extra,
        repository: repoJson(host.state, repo, host.urls),
        sender: userJson(host.state, token.login, host.urls),
      },
      actor: token.login,
      automatic: token.automatic,
    },
    repo,
  );
}

/** An event other than the item's own (`pull_request_review`, …): its payload, the repository and the sender. */
export function emitPayload(
  host: ApiHost,
  repo: RepoState,
  name: string,
  action: string,
  fields: Record<string, unknown>,
  token: TokenRec,
  at: { ref?: string; sha?: string } = {},
): void {
  host.emit(
    {
      name,
      action,
      payload: {
        action,
        ...fields,
        repository: repoJson(host.state, repo, host.urls),
        sender: userJson(host.state, token.login, host.urls),
      },
      actor: token.login,
      automatic: token.automatic,
      ...at,
    },
    repo,
  );
}

export function ensureLabel(host: ApiHost, repo: RepoState, name: string) {
  let label = repo.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  if (!label) {
    label = { id: host.state.id(), name, color: 'ededed', description: '' };
    repo.labels.push(label);
  }
  return label;
}

/** Add labels as a user would; emits one `labeled` event per new label (as GitHub does). */
export async function addLabels(host: ApiHost, repo: RepoState, issue: IssueRec, names: string[], token: TokenRec): Promise<void> {
  for (const name of names) {
    if (issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) continue;
    const label = ensureLabel(host, repo, name);
    issue.labels.push(label.name);
    issue.updatedAt = now(host);
    repo.events.push({
      id: host.state.id(),
      issue: issue.number,
      event: 'labeled',
      label: label.name,
      actor: token.login,
      createdAt: now(host),
    });
    await emitItem(host, repo, issue, 'labeled', token, { label: labelJson(label, repo, host.urls) });
  }
}

export async function removeLabel(host: ApiHost, repo: RepoState, issue: IssueRec, name: string, token: TokenRec): Promise<boolean> {
  const i = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (i < 0) return false;
  const [removed] = issue.labels.splice(i, 1);
  issue.updatedAt = now(host);
  repo.events.push({
    id: host.state.id(),
    issue: issue.number,
    event: 'unlabeled',
    label: removed!,
    actor: token.login,
    createdAt: now(host),
  });
  const label = ensureLabel(host, repo, removed!);
  await emitItem(host, repo, issue, 'unlabeled', token, { label: labelJson(label, repo, host.urls) });
  return true;
}

export function createIssueRec(
  host: ApiHost,
  repo: RepoState,
  fields: { title: string; body: string; user: string; isPull: boolean },
): IssueRec {
  const at = now(host);
  const issue: IssueRec = {
    id: host.state.id(),
    number: host.state.nextNumber(repo),
    title: fields.title,
    body: fields.body,
    state: 'open',
    stateReason: null,
    labels: [],
    user: fields.user,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    isPull: fields.isPull,
  };
  repo.issues.push(issue);
  return issue;
}

/** The issue lists' `since` (an ISO time) against an item's update time; no `since`, every item. */
export function updatedSince(updatedAt: string, since: string | null): boolean {
  return since === null || Date.parse(updatedAt) >= Date.parse(since);
}
