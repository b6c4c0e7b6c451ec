// `agentloop doctor --forge forgejo`: findings about an installation on Forgejo, from what the forge
// answered (services/doctor-reads-forgejo.ts reads; this file only judges). A correct installation is what
// workflows-templates/forgejo/ and docs/forgejo.md describe: a bot user that is a repository admin,
// Actions on, the three workflows in the one directory Forgejo reads (doctor-forgejo-workflows.ts), and
// the trigger labels.
import type { Finding } from './doctor.js';
import { forgejoWorkflowFindings } from './doctor-forgejo-workflows.js';
import type { Release } from './doctor-workflows.js';
import { type LabelNames, labelCatalog } from './labels.js';
import type { Permission } from './model.js';

export { FORGEJO_LOOP_FILES, type ForgejoWorkflowReport, forgejoWorkflowFindings } from './doctor-forgejo-workflows.js';

/** What `GET /repos/{o}/{r}` says about the repository's units. */
export interface ForgejoRepoFacts {
  defaultBranch: string;
  htmlUrl: string;
  archived?: boolean;
  hasActions?: boolean;
  hasIssues?: boolean;
  hasPullRequests?: boolean;
}

/** What the forge answered. A read that was not made (an earlier one failed) is absent. */
export interface ForgejoFacts {
  repo: string;
  /** The API root doctor talked to (for the commands in fixes). */
  api: string;
  /** `GET /version`: the version and forge/forgejo.ts's versionProblem, or the status it failed with. */
  version: { version?: string; problem?: string; status?: number };
  /** `GET /user`: null when the token was refused. */
  user?: { login: string } | null;
  /** `GET /repos/{o}/{r}`: the facts, or the status it failed with. */
  repository?: ForgejoRepoFacts | { status: number };
  /** `GET …/collaborators/{self}/permission`, or why it could not be read. */
  permission?: { permission: Permission } | { error: string };
  /** Each of FORGEJO_WORKFLOW_DIRS on the default branch: the names in it, null when it does not exist. */
  dirs?: { path: string; names: string[] | null }[];
  /** agentloop's workflow files in the directory Forgejo reads (null: could not be read). */
  files?: { path: string; text: string | null }[];
  labels?: { names: string[] } | { status: number };
}

const TOKEN_FIX =
  "Signed in as the bot user, create an access token (Settings → Applications → Generate new token) with the scopes repository: Read and write, issue: Read and write, user: Read; pass it as GITHUB_TOKEN here and store it as the repository's Actions secret AGENTLOOP_TOKEN.";

export function versionFindings(v: ForgejoFacts['version']): Finding[] {
  // An invalid token is refused on every route, even this public one.
  if (v.status === 401 || v.status === 403)
    return [{ level: 'problem', topic: 'token', message: `GET /version answered ${v.status}: Forgejo refuses the token`, fix: TOKEN_FIX }];
  if (v.status !== undefined)
    return [
      {
        level: 'problem',
        topic: 'version',
        message: `GET /version answered ${v.status}: this is not a Forgejo API`,
        fix: 'Set GITHUB_API_URL to your Forgejo API, https://your-forgejo/api/v1.',
      },
    ];
  if (v.problem)
    return [
      {
        level: 'problem',
        topic: 'version',
        message: v.problem.replace(/ Nothing was changed\.$/, ''),
        fix: 'Upgrade to Forgejo v15 LTS (v14 at least); on an older Forgejo or on Gitea agentloop stops before it writes anything.',
      },
    ];
  return [{ level: 'ok', topic: 'version', message: `Forgejo ${v.version}` }];
}

/** Who the token is (`GET /user`), and whether that user may do what agentloop does (its own permission). */
export function identityFindings(facts: ForgejoFacts): Finding[] {
  const { repo, user, permission } = facts;
  if (user === undefined) return [];
  if (user === null)
    return [
      {
        level: 'problem',
        topic: 'token',
        message: 'GET /user refused the token: it is not valid, or it lacks the scope user: Read (agentloop asks who it is every run)',
        fix: TOKEN_FIX,
      },
    ];
  const out: Finding[] = [
    {
      level: 'ok',
      topic: 'token',
      message: `the token acts as @${user.login}: agentloop's comments, labels, branches, PRs and merges will be by this user`,
    },
  ];
  const where =
    facts.repository && 'htmlUrl' in facts.repository
      ? `${facts.repository.htmlUrl}/settings/collaboration`
      : `${repo} → Settings → Collaborators`;
  const fix = `Make @${user.login} an Administrator collaborator of ${repo}: ${where} (or a team with admin access to it).`;
  if (!permission) return out;
  if ('error' in permission) {
    out.push({
      level: 'problem',
      topic: 'permissions',
      message: `could not read the permission of @${user.login}: ${permission.error}`,
      fix,
    });
    return out;
  }
  const p = permission.permission;
  if (p === 'admin')
    out.push({
      level: 'ok',
      topic: 'permissions',
      message: `@${user.login} is an administrator of ${repo}: it may read the permission of whoever applies a label, which agentloop checks before it acts`,
    });
  else if (p === 'write' || p === 'maintain')
    out.push({
      level: 'problem',
      topic: 'permissions',
      message: `@${user.login} has write access to ${repo} but is not an administrator: Forgejo lets only repository admins read another user's permission, so agentloop cannot check who applied a label and starts nothing`,
      fix,
    });
  else
    out.push({
      level: 'problem',
      topic: 'permissions',
      message: `@${user.login} has ${p === 'none' ? 'no access' : `only ${p} access`} to ${repo}: agentloop cannot label, push or merge as this user, nor check who applied a label`,
      fix,
    });
  return out;
}

/** The repository: readable, not archived, and its Actions, Issues and Pull requests units on. */
export function repositoryFindings(repo: string, r: ForgejoFacts['repository']): Finding[] {
  if (!r) return [];
  if (!('htmlUrl' in r))
    return [
      {
        level: 'problem',
        topic: 'token',
        message:
          r.status === 404
            ? `${repo} was not found: check the name, and that the token's user may read it`
            : `GET /repos/${repo} answered ${r.status}: the token cannot read the repository`,
        fix: `Check --repo, and make the bot user an Administrator collaborator of ${repo}.`,
      },
    ];
  const where = (unit: string) => `${r.htmlUrl}/settings → Units → Overview: turn on ${unit}`;
  const out: Finding[] = [];
  if (r.archived)
    out.push({
      level: 'problem',
      topic: 'settings',
      message: `${repo} is archived: nothing can be written to it`,
      fix: `Unarchive it (${r.htmlUrl}/settings → Danger zone).`,
    });
  if (r.hasActions === false)
    out.push({
      level: 'problem',
      topic: 'settings',
      message: `Actions are off for ${repo}: none of agentloop's workflows runs`,
      fix: `${where('Actions')}. If it is not offered, Actions are off for the whole instance ([actions] ENABLED in app.ini).`,
    });
  else if (r.hasActions) out.push({ level: 'ok', topic: 'settings', message: `Actions are on for ${repo}` });
  if (r.hasIssues === false)
    out.push({
      level: 'problem',
      topic: 'settings',
      message: `Issues are off for ${repo}: nobody can label an issue to start work`,
      fix: where('Issues'),
    });
  if (r.hasPullRequests === false)
    out.push({
      level: 'problem',
      topic: 'settings',
      message: `Pull requests are off for ${repo}: agentloop cannot open its PRs`,
      fix: where('Pull requests'),
    });
  return out;
}

/** The labels people apply: Forgejo silently ignores a name that does not exist. */
export function triggerLabelFindings(facts: ForgejoFacts, names: LabelNames): Finding[] {
  const labels = facts.labels;
  if (!labels) return [];
  if (!('names' in labels))
    return [
      { level: 'warning', topic: 'labels', message: `could not list labels (GET /repos/${facts.repo}/labels answered ${labels.status})` },
    ];
  const have = new Set(labels.names.map((n) => n.toLowerCase()));
  const triggers = labelCatalog(names).filter((l) => l.key === 'plan' || l.key === 'code');
  const missing = triggers.filter((l) => !have.has(l.name.toLowerCase()));
  if (missing.length === 0)
    return [
      {
        level: 'ok',
        topic: 'labels',
        message: `the trigger labels ${triggers.map((l) => l.name).join(' and ')} exist (agentloop creates its others when it needs them)`,
      },
    ];
  return [
    {
      level: 'problem',
      topic: 'labels',
      message: `missing labels: ${missing.map((l) => l.name).join(', ')}: Forgejo silently ignores a label name that does not exist, so nobody can start the loop`,
      fix: [
        `GITHUB_API_URL=${facts.api} npx agentloop init --forge forgejo --repo ${facts.repo} creates them; or, in ${facts.repo} → Issues → Labels → New label:`,
        ...missing.map((l) => `${l.name} (color #${l.color}, description "${l.description}")`),
      ].join('\n'),
    },
  ];
}

/** Every finding, from whatever was read. */
export function forgejoFindings(facts: ForgejoFacts, release?: Release): Finding[] {
  const wf = forgejoWorkflowFindings(facts, release);
  return [
    ...versionFindings(facts.version),
    ...identityFindings(facts),
    ...repositoryFindings(facts.repo, facts.repository),
    ...wf.findings,
    ...triggerLabelFindings(facts, wf.names),
  ];
}
