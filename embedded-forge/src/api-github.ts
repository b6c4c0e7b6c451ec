// The GitHub REST subset agentloop uses, served from the embedded forge's state and real git.
// Every request can be validated against GitHub's OpenAPI description before it is handled.
// Routes live by area (api-issues.ts, api-pulls.ts, api-reviews.ts, api-actions.ts); the table order is the match order.
import { ciRoutes } from './api-actions.js';
import { issueRoutes } from './api-issues.js';
import { pullRoutes } from './api-pulls.js';
import { reviewRoutes } from './api-reviews.js';
import { type ApiHost, type ApiRequest, type ApiResponse, handleRoutes, matchIn } from './api-router.js';
import { searchRoutes } from './api-search.js';

export { workflowIdOf } from './api-actions.js';
export { addLabels, createIssueRec, ensureLabel, removeLabel } from './api-items.js';
export { type ApiHost, type ApiRequest, type ApiResponse, permissionOf } from './api-router.js';

const routes = [...issueRoutes, ...pullRoutes, ...reviewRoutes, ...ciRoutes, ...searchRoutes];

export function matchRoute(method: string, pathname: string) {
  return matchIn(routes, method, pathname);
}

export function handleApi(host: ApiHost, req: ApiRequest): Promise<ApiResponse> {
  return handleRoutes(routes, host, req);
}
