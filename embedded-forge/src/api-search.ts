// GET /search/issues, the subset agentloop's sweep uses: `repo:`, `is:issue` / `is:pull-request`,
// `is:open` / `state:`, and `label:` (a comma list matches any of its labels, repeated qualifiers all of
// them), sorted by `created`. Modelled as GitHub documents it:
//   - "label:bug,resolved matches issues with the label "bug" or the label "resolved""
//     (https://docs.github.com/en/search-github/searching-on-github/searching-issues-and-pull-requests#search-by-label);
//   - a query without `is:issue` or `is:pull-request` is refused with 422 (the REST operation's note,
//     search/issues-and-pull-requests; GitHub states it for App user tokens, the forge for every token);
//   - "only the first 1000 search results are available" (search#about-search);
//   - a repository the token cannot read: 422 "cannot be searched".
// Search answers from an index, not the database: the forge answers as of `state.searchLagMs` ago
// (labels and state replayed back through the issue events; issues created since then are missing), so a
// client that trusts search for what changed in the last minute fails here as it would on GitHub.
import { checkAccess } from './access.js';
import { routeList } from './api-router.js';
import { issueJson } from './github-json.js';
import { HttpError, paginate } from './http-util.js';
import { ruleFor } from './route-permissions.js';
import type { ForgeState, IssueRec, RepoState } from './state.js';

const { routes, route } = routeList();

const MAX_RESULTS = 1000;

interface Query {
  repo?: string;
  kind?: 'issue' | 'pull';
  state?: 'open' | 'closed';
  /** Each entry is one qualifier: any of its labels. All entries must match. */
  labels: string[][];
}

/** Splits a query into terms, keeping "quoted values" (with commas between them) together. */
function terms(q: string): string[] {
  return q.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** The values of a comma list, each possibly quoted: `"a b",c` → ['a b', 'c']. */
function listValues(v: string): string[] {
  return (v.match(/"[^"]*"|[^,]+/g) ?? []).map(unquote).filter(Boolean);
}

function parse(q: string): Query {
  const query: Query = { labels: [] };
  for (const term of terms(q)) {
    const at = term.indexOf(':');
    if (at < 0) throw new HttpError(422, 'Validation Failed', { errors: [{ message: `free text is not modelled: ${term}` }] });
    const key = term.slice(0, at).toLowerCase();
    const value = term.slice(at + 1);
    if (key === 'repo') query.repo = unquote(value).toLowerCase();
    else if (key === 'is' && value === 'issue') query.kind = 'issue';
    else if (key === 'is' && (value === 'pull-request' || value === 'pr')) query.kind = 'pull';
    else if ((key === 'is' || key === 'state') && (value === 'open' || value === 'closed')) query.state = value;
    else if (key === 'label') query.labels.push(listValues(value).map((l) => l.toLowerCase()));
    else throw new HttpError(422, 'Validation Failed', { errors: [{ message: `qualifier not modelled: ${term}` }] });
  }
  return query;
}

/** An issue as the search index holds it `lagMs` ago: undefined when it did not exist yet. */
function indexed(repo: RepoState, issue: IssueRec, asOf: number): IssueRec | undefined {
  if (Date.parse(issue.createdAt) > asOf) return undefined;
  const labels = [...issue.labels];
  let state = issue.state;
  const later = repo.events.filter((e) => e.issue === issue.number && Date.parse(e.createdAt) > asOf);
  for (const e of later.reverse()) {
    if (e.event === 'labeled' && e.label) {
      const at = labels.indexOf(e.label);
      if (at >= 0) labels.splice(at, 1);
    } else if (e.event === 'unlabeled' && e.label) labels.push(e.label);
    else if (e.event === 'closed') state = 'open';
    else if (e.event === 'reopened') state = 'closed';
  }
  return { ...issue, labels: labels.filter((l, i) => labels.indexOf(l) === i), state };
}

function repoOf(state: ForgeState, full: string | undefined): RepoState {
  const [owner, name] = (full ?? '').split('/');
  const repo = owner && name ? state.repo(owner, name) : undefined;
  if (!repo) throw cannotSearch();
  return repo;
}

function cannotSearch(): HttpError {
  return new HttpError(422, 'Validation Failed', {
    errors: [
      {
        message:
          'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.',
        resource: 'Search',
        field: 'q',
        code: 'invalid',
      },
    ],
  });
}

route('GET', '/search/issues', (host, _repo, req) => {
  const params = req.url.searchParams;
  const query = parse(params.get('q') ?? '');
  if (!query.kind)
    throw new HttpError(422, 'Validation Failed', {
      errors: [{ message: "Query must include 'is:issue' or 'is:pull-request'", resource: 'Search', field: 'q', code: 'invalid' }],
    });
  const repo = repoOf(host.state, query.repo);
  try {
    checkAccess(repo, req.token!, ruleFor('GET /repos/{owner}/{repo}/issues')!, 'GET');
  } catch {
    throw cannotSearch();
  }
  const perPage = Math.min(Math.max(Number(params.get('per_page') ?? 30) || 30, 1), 100);
  const pageNo = Math.max(Number(params.get('page') ?? 1) || 1, 1);
  if ((pageNo - 1) * perPage >= MAX_RESULTS && pageNo > 1) throw new HttpError(422, 'Only the first 1000 search results are available');
  const asOf = host.state.clock().getTime() - host.state.searchLagMs;
  const ascending = params.get('sort') === 'created' && params.get('order') === 'asc';
  const matches = repo.issues
    .map((i) => indexed(repo, i, asOf))
    .filter((i): i is IssueRec => i !== undefined)
    .filter((i) => (query.kind === 'pull') === i.isPull)
    .filter((i) => !query.state || i.state === query.state)
    .filter((i) => query.labels.every((anyOf) => i.labels.some((l) => anyOf.includes(l.toLowerCase()))))
    .sort((a, b) => (ascending ? a.number - b.number : b.number - a.number));
  const reachable = matches.slice(0, MAX_RESULTS);
  const { page, link } = paginate(reachable, req.url);
  return {
    status: 200,
    body: {
      total_count: matches.length,
      incomplete_results: false,
      items: page.map((i) => ({ ...issueJson(host.state, repo, i, host.urls), score: 1 })),
    },
    ...(link ? { headers: { link } } : {}),
  };
});

export const searchRoutes = routes;
