// Finding the open items that carry any of several labels on GitHub in a request per 100 items, not one
// list per label: the issue list ANDs its `labels`, while search's `label:a,b` "matches issues with the
// label a or the label b" (docs: searching-issues-and-pull-requests#search-by-label). Search answers from
// an index that trails the data, so what changed lately is read from the issue list instead
// (forge/github.ts: listOpenItemsWithAnyLabel), and what search alone found is marked `fromIndex`.

import type { IssueData } from '../core/model.js';
import { toIssue } from './github-json.js';
import type { AgentloopOctokit } from './octokit.js';

/** "Only the first 1000 search results are available": more, and search cannot list them all. */
const MAX_RESULTS = 1000;
const PER_PAGE = 100;

/** Search cannot answer this listing completely; the caller lists each label instead. */
export class SearchUnusable extends Error {}

export interface IndexedItems {
  items: IssueData[];
  /** The server's clock when it answered (its Date header), to read what changed since from the list. */
  answeredAt: number | undefined;
}

/** Label names as a search comma list; a name search cannot quote makes search unusable. */
function labelList(labels: readonly string[]): string {
  if (labels.some((l) => l.includes('"') || l.includes('\\'))) throw new SearchUnusable('a label name search cannot quote');
  return labels.map((l) => `"${l}"`).join(',');
}

/**
 * Open issues and pull requests with any of `labels`, as the search index holds them (up to about a
 * minute old). Issues and pull requests are searched apart: GitHub refuses a query without `is:issue` or
 * `is:pull-request` from some tokens (the operation's note).
 */
export async function searchOpenItemsWithAnyLabel(
  octokit: AgentloopOctokit,
  repo: { owner: string; repo: string },
  labels: readonly string[],
): Promise<IndexedItems> {
  const list = labelList(labels);
  let answeredAt: number | undefined;
  const search = async (kind: 'issue' | 'pull-request') => {
    const found: IssueData[] = [];
    for (let page = 1; ; page++) {
      const { data, headers } = await octokit.request('GET /search/issues', {
        q: `repo:${repo.owner}/${repo.repo} is:${kind} is:open label:${list}`,
        sort: 'created',
        order: 'asc',
        per_page: PER_PAGE,
        page,
      });
      if (data.incomplete_results || data.total_count > MAX_RESULTS)
        throw new SearchUnusable(`search answered ${data.incomplete_results ? 'incompletely' : `${data.total_count} results`}`);
      const date = Date.parse(String(headers.date ?? ''));
      if (Number.isFinite(date)) answeredAt = Math.min(answeredAt ?? date, date);
      found.push(...data.items.map((i) => ({ ...toIssue(i), fromIndex: true })));
      if (data.items.length < PER_PAGE || found.length >= data.total_count) return found;
    }
  };
  const [issues, pulls] = await Promise.all([search('issue'), search('pull-request')]);
  return { items: [...issues, ...pulls], answeredAt };
}
