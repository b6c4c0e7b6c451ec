// What `agentloop doctor` reads from the forge, all with GETs: the repository, who the token is, one GET per
// permission area agentloop uses (the same routes it uses), the "Actions may create pull requests"
// setting, the labels, and the workflow files on the default branch. core/doctor*.ts judge it.
import { parse as parseYaml } from 'yaml';
import { DEFAULTS } from '../core/config.js';
import type { Area, Probe, SettingFacts, TokenFacts } from '../core/doctor.js';
import { tokenKindOf } from '../core/doctor.js';
import type { ListedWorkflow, WorkflowFacts } from '../core/doctor-workflows.js';
import type { GitHubReader, ReadAnswer } from '../forge/github-reader.js';

export interface InstallationFacts {
  repo: string;
  defaultBranch: string;
  token: TokenFacts;
  probes: Probe[];
  setting: SettingFacts;
  labels: { status: number; names: string[] };
  workflows: WorkflowFacts;
}

export class RepoUnreadable extends Error {}

/** At most this many workflow files are read (one request each). */
const MAX_WORKFLOW_FILES = 40;
const WORKFLOWS_DIR = '.github/workflows/';

interface RepoJson {
  default_branch: string;
  permissions?: { admin?: boolean; maintain?: boolean; push?: boolean };
}

const text = (a: ReadAnswer<{ type?: string; content?: string }>): string | null =>
  a.status === 200 && a.data?.type === 'file' && typeof a.data.content === 'string'
    ? Buffer.from(a.data.content, 'base64').toString('utf8')
    : null;

export async function readInstallation(reader: GitHubReader, owner: string, repo: string, token: string): Promise<InstallationFacts> {
  const r = { owner, repo };
  const full = `${owner}/${repo}`;
  const repoAnswer = await reader.get<RepoJson>('/repos/{owner}/{repo}', r);
  if (repoAnswer.status !== 200 || !repoAnswer.data)
    throw new RepoUnreadable(
      repoAnswer.status === 404
        ? `${full} was not found: check the name, and that the token may read it (a fine-grained token must include this repository)`
        : `GET /repos/${full} answered ${repoAnswer.status}: the token cannot read the repository`,
    );
  const branch = repoAnswer.data.default_branch;

  const user = await reader.get<{ login?: string }>('/user');
  const kind = tokenKindOf(token);
  const tokenFacts: TokenFacts = {
    kind,
    user: { status: user.status, ...(user.data?.login ? { login: user.data.login } : {}) },
    ...(user.scopes !== undefined
      ? {
          scopes: user.scopes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    // An installation token's repository has no `permissions`; a user token's says the user's role.
    ...(repoAnswer.data.permissions && kind !== 'installation' ? { role: repoAnswer.data.permissions } : {}),
  };

  const configPath = DEFAULTS['config-file']!;
  const configAnswer = await reader.get<{ type?: string; content?: string }>('/repos/{owner}/{repo}/contents/{path}', {
    ...r,
    path: configPath,
    ref: branch,
  });
  const configText = text(configAnswer);

  // The workflows: listed by the Actions API; without it, agentloop's own file names.
  const listed = await reader.list<ListedWorkflow>('/repos/{owner}/{repo}/actions/workflows', r);
  const items = (listed.data ?? []).map((w) => ({ name: w.name, path: w.path, state: w.state }));
  const paths =
    listed.status === 200
      ? items.map((w) => w.path).filter((p) => p.startsWith(WORKFLOWS_DIR) && /\.ya?ml$/.test(p))
      : fallbackPaths(configText);
  const files: WorkflowFacts['files'] = [];
  for (const path of paths.slice(0, MAX_WORKFLOW_FILES)) {
    const answer = await reader.get<{ type?: string; content?: string }>('/repos/{owner}/{repo}/contents/{path}', {
      ...r,
      path,
      ref: branch,
    });
    files.push({ path, text: text(answer) });
  }

  const probe = async (area: Area, route: string, params: Record<string, string | number> = {}): Promise<Probe> => {
    const a = await reader.get(route, { ...r, ...params });
    const shown = Object.entries({ ...r, ...params }).reduce((s, [k, v]) => s.replace(`{${k}}`, String(v)), route);
    return { area, route: `GET ${shown}`, status: a.status, ...(a.accepted !== undefined ? { accepted: a.accepted } : {}) };
  };
  const probes: Probe[] = [
    { area: 'contents', route: `GET /repos/${full}/contents/${configPath}`, status: configAnswer.status, ...acceptedOf(configAnswer) },
    await probe('issues', '/repos/{owner}/{repo}/issues', { per_page: 1 }),
    await probe('pull_requests', '/repos/{owner}/{repo}/pulls', { per_page: 1 }),
    await probe('checks', '/repos/{owner}/{repo}/commits/{ref}/check-runs', { ref: branch, per_page: 1 }),
    await probe('statuses', '/repos/{owner}/{repo}/commits/{ref}/status', { ref: branch }),
    await probe('actions', '/repos/{owner}/{repo}/actions/runs', { per_page: 1 }),
  ];

  const setting = await reader.get<{ can_approve_pull_request_reviews?: boolean }>('/repos/{owner}/{repo}/actions/permissions/workflow', r);
  const labels = await reader.list<{ name: string }>('/repos/{owner}/{repo}/labels', r);

  return {
    repo: full,
    defaultBranch: branch,
    token: tokenFacts,
    probes,
    setting: {
      status: setting.status,
      ...acceptedOf(setting),
      ...(typeof setting.data?.can_approve_pull_request_reviews === 'boolean'
        ? { canApprove: setting.data.can_approve_pull_request_reviews }
        : {}),
    },
    labels: { status: labels.status, names: (labels.data ?? []).map((l) => l.name) },
    workflows: { list: { status: listed.status, items }, files, config: { path: configPath, text: configText } },
  };
}

const acceptedOf = (a: ReadAnswer<unknown>) => (a.accepted !== undefined ? { accepted: a.accepted } : {});

/** agentloop's workflow file names (from the configuration file when it renames them). */
function fallbackPaths(configText: string | null): string[] {
  let file: Record<string, unknown> = {};
  try {
    const parsed = configText ? (parseYaml(configText) as unknown) : null;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) file = parsed as Record<string, unknown>;
  } catch {
    // A broken file is reported by the configuration check.
  }
  const name = (key: 'plan-workflow' | 'code-workflow') => (typeof file[key] === 'string' ? (file[key] as string) : DEFAULTS[key]!);
  return [name('plan-workflow'), name('code-workflow'), 'agentloop-sweep.yml'].map((f) => `${WORKFLOWS_DIR}${f}`);
}
