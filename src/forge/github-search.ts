// Finding the open items that carry any of several labels on GitHub in a request per 100 items, not one
// list per label: the issue list ANDs its `labels`, while search's `label:a,b` "matches issues with the
// label a or the label b" (docs: searching-issues-and-pull-requests#search-by-label). Search answers from
// an index that trails the data, so what changed lately is read from the issue list instead, and what
// search alone found is marked `fromIndex`.

import { hasLabel } from '../core/labels.js';
import type { IssueData } from '../core/model.js';
import type { Forge } from './forge.js';
import { httpStatus, toIssue } from './github-json.js';
import type { AgentloopOctokit, ForgeLogger } from './octokit.js';

/** "Only the first 1000 search results are available": more, and search cannot list them all. */
const MAX_RESULTS = 1000;
const PER_PAGE = 100;

/**
 * What changed this long before search answered is read from the issue list, not the search index: far
 * longer than the index trails the data (seconds, about a minute at worst), so a slow index costs a sweep
 * nothing. Items updated in that window cost a list page per 100.
 */
const RECENT_MS = 10 * 60_000;

/** Search cannot answer this listing completely; the caller lists each label instead. */
export class SearchUnusable extends Error {}

export interface IndexedItems {
  items: IssueData[];
  /** The server's clock when it answered (its Date header), to read what changed since from the list. */
  answeredAt: number | undefined;
}

/**
 * Label names as a search comma list, in the documented form (`label:bug,resolved`); a name with a space,
 * comma or colon is quoted (`label:"help wanted"`), and one search cannot quote makes search unusable.
 */
function labelList(labels: readonly string[]): string {
  if (labels.some((l) => l.includes('"') || l.includes('\\'))) throw new SearchUnusable('a label name search cannot quote');
  return labels.map((l) => (/^[^\s,:]+$/.test(l) ? l : `"${l}"`)).join(',');
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

/** The issue lists the search falls back on (one a label) and completes itself with (what changed since). */
export type IssueLists = Pick<Forge, 'listOpenIssuesWithLabel' | 'listIssuesUpdatedSince'>;

/**
 * Search finds the items; what changed in the last RECENT_MS, which the index may not hold yet, comes
 * from the issue list and replaces what search said. Where search cannot answer completely (over 1000
 * results, a refusal, a server error), one list a label.
 */
export async function openItemsWithAnyLabel(
  octokit: AgentloopOctokit,
  repo: { owner: string; repo: string },
  labels: readonly string[],
  lists: IssueLists,
  logger: ForgeLogger,
): Promise<IssueData[]> {
  let indexed: IndexedItems;
  try {
    indexed = await searchOpenItemsWithAnyLabel(octokit, repo, labels);
  } catch (error) {
    const status = httpStatus(error) ?? 0;
    // Refused (403: a search rate limit, 422) or failing (5xx, after the retries): the lists still work.
    if (!(error instanceof SearchUnusable) && status !== 403 && status !== 422 && status < 500) throw error;
    const why = error instanceof SearchUnusable ? error.message : `HTTP ${status}`;
    logger.info(`Search could not list the loop items (${why}); listing each of the ${labels.length} labels instead.`);
    const found = new Map<number, IssueData>();
    for (const list of await Promise.all(labels.map((l) => lists.listOpenIssuesWithLabel(l)))) for (const i of list) found.set(i.number, i);
    return [...found.values()];
  }
  const since = new Date((indexed.answeredAt ?? Date.now()) - RECENT_MS).toISOString();
  const recent = new Map((await lists.listIssuesUpdatedSince(since)).map((i) => [i.number, i]));
  const found = new Map<number, IssueData>();
  for (const i of indexed.items) if (!recent.has(i.number)) found.set(i.number, i);
  for (const i of recent.values()) if (i.state === 'open' && labels.some((l) => hasLabel(i.labels, l))) found.set(i.number, i);
  return [...found.values()];
}
