// Forgejo's issue lists by label. Its `labels` filter means "any of these" ("Fetch only issues that have
// any of this labels. Non existent labels are discarded") — and with none left it filters nothing, so
// every list keeps only the items that carry one of the labels, and a list of labels none of which
// exists is never sent.
import { hasLabel } from '../core/labels.js';
import type { IssueData, LabelData } from '../core/model.js';
import type { ForgejoClient } from './forgejo-http.js';
import { toIssue } from './github-json.js';

type IssueJson = Parameters<typeof toIssue>[0];

/** Issues and PRs carrying any of `labels` (open by default); with `oldest`, only that many, earliest created first. */
export async function listByLabels(
  client: ForgejoClient,
  repoPath: string,
  labels: string[],
  o: { state?: 'open' | 'closed'; oldest?: number } = {},
): Promise<IssueData[]> {
  if (labels.length === 0) return [];
  const query = { state: o.state ?? 'open', labels: labels.join(','), ...(o.oldest !== undefined ? { sort: 'oldest' } : {}) };
  const items = await client.paginate<IssueJson>(`${repoPath}/issues`, query, o.oldest);
  return items
    .map(toIssue)
    .filter((i) => labels.some((l) => hasLabel(i.labels, l)))
    .slice(0, o.oldest);
}

/** Issues (not PRs), open or closed, updated at or after `since`. */
export async function listUpdatedSince(client: ForgejoClient, repoPath: string, since: string): Promise<IssueData[]> {
  return (await client.paginate<IssueJson>(`${repoPath}/issues`, { state: 'all', type: 'issues', since })).map(toIssue);
}

/** Those of `labels` the repository has. */
export function existing(labels: string[], known: readonly LabelData[]): string[] {
  return labels.filter((l) => known.some((k) => k.name.toLowerCase() === l.toLowerCase()));
}
