// What `agentloop doctor --forge forgejo` reads, all with GETs through the Forgejo adapter: the server
// version, who the token is, the repository, that user's own permission on it, the three workflow
// directories, agentloop's files in the one Forgejo reads, and the labels. A healthy installation costs
// 11 requests. A read whose failure makes the rest meaningless (not a Forgejo API, a refused token, an
// unreadable repository) ends the reading; core/doctor-forgejo.ts judges whatever was read.
import { FORGEJO_LOOP_FILES, type ForgejoFacts } from '../core/doctor-forgejo.js';
import { FORGEJO_WORKFLOW_DIRS } from '../core/workflow-install.js';
import { type ForgejoForge, versionProblem } from '../forge/forgejo.js';
import { ForgejoError } from '../forge/forgejo-http.js';

/** The status of a refused request; anything else (the network, a bug) is thrown on. */
function statusOf(error: unknown): number {
  if (error instanceof ForgejoError) return error.status;
  throw error;
}

export async function readForgejoInstallation(forge: ForgejoForge, repo: string, api: string): Promise<ForgejoFacts> {
  const facts: ForgejoFacts = { repo, api, version: {} };
  try {
    const v = await forge.serverVersion();
    const problem = versionProblem(v);
    facts.version = { version: v.version, ...(problem ? { problem } : {}) };
  } catch (error) {
    facts.version = { status: statusOf(error) };
    return facts;
  }

  const self = await forge.getSelf();
  facts.user = self ? { login: self.login } : null;
  if (!self) return facts;

  let branch: string;
  try {
    const r = await forge.getRepoJson();
    branch = r.default_branch;
    facts.repository = {
      defaultBranch: r.default_branch,
      htmlUrl: r.html_url,
      ...(typeof r.archived === 'boolean' ? { archived: r.archived } : {}),
      ...(typeof r.has_actions === 'boolean' ? { hasActions: r.has_actions } : {}),
      ...(typeof r.has_issues === 'boolean' ? { hasIssues: r.has_issues } : {}),
      ...(typeof r.has_pull_requests === 'boolean' ? { hasPullRequests: r.has_pull_requests } : {}),
    };
  } catch (error) {
    facts.repository = { status: statusOf(error) };
    return facts;
  }

  // One's own permission may always be asked; another user's only by a repository admin.
  try {
    facts.permission = { permission: await forge.getPermission(self.login) };
  } catch (error) {
    facts.permission = { error: (error as Error).message };
  }

  // Every directory, not only the first: agentloop's files in one Forgejo ignores are a finding too.
  facts.dirs = [];
  for (const path of FORGEJO_WORKFLOW_DIRS) facts.dirs.push({ path, names: await forge.listDir(path, branch) });
  const read = facts.dirs.find((d) => d.names !== null);
  facts.files = [];
  for (const name of read?.names ?? []) {
    if (!FORGEJO_LOOP_FILES.some((f) => f === name || f.replace(/\.yml$/, '.yaml') === name)) continue;
    const path = `${read!.path}/${name}`;
    facts.files.push({ path, text: await forge.getFileText(path, branch) });
  }

  try {
    facts.labels = { names: (await forge.listRepoLabels()).map((l) => l.name) };
  } catch (error) {
    facts.labels = { status: statusOf(error) };
  }
  return facts;
}
