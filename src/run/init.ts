// `agentloop init`: installs agentloop in a repository. Writes the three workflow templates (pinned to the
// running release, for the chosen agent, token kind and label prefix) into a local checkout (--dir) or
// proposes them as a pull request (--repo), creates agentloop's labels (--repo), and says what is left
// to do by hand. --dry-run reads but writes nothing; a second run with the same options changes nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AGENTS, type AgentName, FIELDS } from '../core/config.js';
import { labelCatalog, labelNames } from '../core/labels.js';
import { FORGEJO_WORKFLOW_DIRS, type InstallSpec, renderWorkflow, TOKEN_KINDS, type TokenKind } from '../core/workflow-install.js';
import type { Forge } from '../forge/forge.js';
import { createForgejoForge, type ForgejoForge } from '../forge/forgejo.js';
import { createGitHubForge } from '../forge/github.js';
import { GitError } from '../git/repo.js';
import { INIT_BRANCH, planRemote, publishFiles } from '../services/init-publish.js';
import { LabelWriter } from '../services/label-writer.js';
import { nextSteps } from './init-steps.js';

export const INIT_FORGES = ['github', 'forgejo'] as const;
export type InitForge = (typeof INIT_FORGES)[number];

export interface InitOptions {
  /** Which template set (workflows-templates/<forge>/, passed as templatesDir) and next steps; github by default. */
  forge?: string;
  repo?: string;
  dir?: string;
  token: string;
  apiUrl: string;
  agent: string;
  agentCommand?: string;
  tokenKind: string;
  labelPrefix: string;
  ciWorkflows?: string[];
  /** A commit (or ref) to pin instead of the running release. */
  pin?: string;
  release: { version: string; commit: string };
  templatesDir: string;
  dryRun: boolean;
  force: boolean;
  out: (line: string) => void;
}

/**
 * Where the forge reads workflows. Forgejo reads only the first of .forgejo/workflows, .gitea/workflows and
 * .github/workflows that exists (so a new .forgejo/ would hide a CI in .github/): the one the checkout has.
 */
export function workflowsDir(forge: string | undefined, dir: string | undefined): string {
  if (forge !== 'forgejo') return '.github/workflows';
  return (dir && FORGEJO_WORKFLOW_DIRS.find((d) => existsSync(join(dir, d)))) || FORGEJO_WORKFLOW_DIRS[0];
}

/** The same choice for --repo alone: the first workflow directory the default branch has. */
async function remoteWorkflowsDir(forge: ForgejoForge, defaultBranch: string): Promise<string> {
  for (const d of FORGEJO_WORKFLOW_DIRS) if (await forge.pathExists(d, defaultBranch)) return d;
  return FORGEJO_WORKFLOW_DIRS[0];
}

/** Returns how many things it changed (or would change, with dryRun). */
export async function runInit(o: InitOptions): Promise<number> {
  const spec = specOf(o);
  const render = (dir: string) => {
    const out: Record<string, string> = {};
    for (const name of readdirSync(o.templatesDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort())
      out[`${dir}/${name}`] = renderWorkflow(readFileSync(join(o.templatesDir, name), 'utf8'), spec);
    return out;
  };
  let files = render(workflowsDir(o.forge, o.dir));
  const would = o.dryRun ? 'would ' : '';
  const out = o.out;
  out(
    `agentloop init${o.dryRun ? ' (dry run: nothing is written)' : ''} — ${o.forge === 'forgejo' ? 'Forgejo, ' : ''}agent ${spec.agent}, token kind ${spec.tokenKind}, labels ${spec.labelPrefix}…, agentloop@${spec.pin.ref}`,
  );
  if (spec.pin.ref === `v${o.release.version}`)
    out(
      `warning: this agentloop was not bundled from a clean release commit: the workflows use the tag v${o.release.version}; pass --pin <commit sha> to pin a commit`,
    );
  let changes = 0;
  let pullUrl: string | undefined;

  if (o.dir) changes += await writeLocal(o, files);
  const [owner, name] = (o.repo ?? '').split('/');
  if (o.repo) {
    if (!owner || !name) throw new Error(`--repo takes owner/name, got "${o.repo}"`);
    if (!o.token) throw new Error('--repo needs a token: set GITHUB_TOKEN (one that may write the repository)');
    const forge = remoteForge(o, owner, name);
    const info = await forge.getRepo();
    // Without a checkout, Forgejo's workflow directory is the one the default branch already has.
    if (o.forge === 'forgejo' && !o.dir) files = render(await remoteWorkflowsDir(forge as ForgejoForge, info.defaultBranch));
    if (!o.dir) {
      const plan = await planRemote(forge, info.defaultBranch, files);
      for (const f of plan.files)
        out(`  ${f.state === 'unchanged' ? 'unchanged' : `${would}${f.state}`.padEnd(9)} ${f.path} (on ${info.defaultBranch})`);
      if (plan.files.every((f) => f.state === 'unchanged')) out(`  the workflows on ${info.defaultBranch} are up to date`);
      else if (plan.pull?.current) {
        out(`  unchanged PR #${plan.pull.number} already proposes exactly these files: ${plan.pull.url}`);
        pullUrl = plan.pull.url;
      } else if (o.dryRun) {
        out(
          `  would push branch ${INIT_BRANCH} (one commit on ${info.defaultBranch}) and ${plan.pull ? `update PR #${plan.pull.number}` : 'open a PR'}`,
        );
        changes += 1;
      } else {
        const self = await forge.getSelf();
        const login = self?.login ?? 'agentloop';
        const pr = await publishFiles(
          {
            forge,
            remoteUrl: `${info.htmlUrl}.git`,
            token: o.token,
            identity: { name: login, email: `${login}@users.noreply.${new URL(info.htmlUrl).host}` },
            defaultBranch: info.defaultBranch,
          },
          files,
          {
            title: 'Install agentloop workflows',
            body: [
              `Adds agentloop's workflows (agentloop v${o.release.version}, \`agentloop init\`): agent \`${spec.agent}\`, token kind \`${spec.tokenKind}\`, labels \`${spec.labelPrefix}…\`.`,
              '',
              'Before merging:',
              '',
              '```',
              ...nextSteps({ repo: o.repo, spec, files, apiUrl: o.apiUrl, ...(o.forge ? { forge: o.forge } : {}) }).slice(1),
              '```',
            ].join('\n'),
            ...(plan.pull ? { open: plan.pull.number } : {}),
          },
        ).catch((err: unknown) => {
          if (!(err instanceof GitError)) throw err;
          throw new Error(
            o.forge === 'forgejo'
              ? `${err.message}\nPushing workflow files needs the token of a user with write access to the repository (scope repository: Read and write). Or run init with --dir in your checkout and push yourself.`
              : `${err.message}\nPushing workflow files needs a token that may change workflows: the workflow scope (classic PAT; for gh's token: gh auth refresh -s workflow), or Workflows: Read and write (fine-grained PAT, GitHub App). Or run init with --dir in your checkout and push yourself.`,
          );
        });
        out(`  ${pr.opened ? 'opened' : 'updated'} PR #${pr.number} from ${INIT_BRANCH}: ${pr.url}`);
        pullUrl = pr.url;
        changes += 1;
      }
    }
    changes += await ensureLabels(o, forge, would);
  } else if (o.forge === 'forgejo') {
    out(`  labels: not created (no --repo); see the next steps`);
  } else {
    out(
      `  labels: not created (no --repo); agentloop creates its own on first use, but people need ${labelNames(spec.labelPrefix).plan} and ${labelNames(spec.labelPrefix).code}: run again with --repo owner/name`,
    );
  }
  out('');
  out(changes === 0 ? 'nothing to change.' : `${o.dryRun ? 'would change' : 'changed'} ${changes} thing(s).`);
  out('');
  for (const line of nextSteps({ ...o, spec, files, ...(pullUrl ? { pullUrl } : {}) })) out(line);
  return changes;
}

function specOf(o: InitOptions): InstallSpec {
  if (o.forge !== undefined && !(INIT_FORGES as readonly string[]).includes(o.forge))
    throw new Error(`--forge must be one of ${INIT_FORGES.join(', ')}, got "${o.forge}"`);
  if (o.forge === 'forgejo') forgejoChecks(o);
  if (!o.repo && !o.dir)
    throw new Error('init needs --repo owner/name (a pull request and the labels) or --dir PATH (a local checkout), or both');
  if (!(AGENTS as readonly string[]).includes(o.agent)) throw new Error(`--agent must be one of ${AGENTS.join(', ')}, got "${o.agent}"`);
  if (!(TOKEN_KINDS as readonly string[]).includes(o.tokenKind))
    throw new Error(`--token-kind must be one of ${TOKEN_KINDS.join(', ')}, got "${o.tokenKind}"`);
  if (o.agent === 'command' && !o.agentCommand?.trim())
    throw new Error('--agent command needs --agent-command "the command line of your agent"');
  if (!FIELDS['label-prefix'].schema.safeParse(o.labelPrefix).success)
    throw new Error(`--label-prefix "${o.labelPrefix}" is not allowed; allowed: ${FIELDS['label-prefix'].allowed}`);
  const ref = o.pin || o.release.commit || `v${o.release.version}`;
  if (o.pin && !/^[\w./-]+$/.test(o.pin)) throw new Error(`--pin takes a commit SHA, got "${o.pin}"`);
  if (o.pin && !/^[0-9a-f]{40}$/.test(o.pin)) o.out(`warning: --pin ${o.pin} is not a full commit SHA; workflows should pin commits`);
  return {
    agent: o.agent as AgentName,
    ...(o.agent === 'command' ? { agentCommand: o.agentCommand! } : {}),
    tokenKind: o.tokenKind as TokenKind,
    labelPrefix: o.labelPrefix,
    ...(o.ciWorkflows?.length ? { ciWorkflows: o.ciWorkflows } : {}),
    pin: { ref, comment: `v${o.release.version}` },
  };
}

/** What makes no sense on Forgejo, refused before anything is read or written. */
function forgejoChecks(o: InitOptions): void {
  if (o.tokenKind === 'app')
    throw new Error(
      "--token-kind app: Forgejo has no GitHub Apps. Use --token-kind pat (the default) with a bot user's access token in the secret AGENTLOOP_TOKEN (docs/forgejo.md)",
    );
  if (o.tokenKind === 'workflow')
    throw new Error(
      "--token-kind workflow: on Forgejo the automatic token cannot read other users' permissions, so agentloop could not tell who may start work and refuses to run. Use --token-kind pat (the default) with a bot user's access token in the secret AGENTLOOP_TOKEN (docs/forgejo.md)",
    );
  if (o.ciWorkflows?.length)
    throw new Error(
      '--ci: Forgejo has no workflow_run event, so the workflows name no CI workflows; the sweep polls the commit statuses of the loop PRs instead. Leave --ci out',
    );
  if (o.repo && /^https:\/\/api\.github\.com\/?$/.test(o.apiUrl))
    throw new Error('--repo with --forge forgejo needs the API of your Forgejo: set GITHUB_API_URL=https://your-forgejo/api/v1');
}

/** The forge API client for --repo: GitHub's, or Forgejo's (its --repo PR and labels go through the same Forge). */
function remoteForge(o: InitOptions, owner: string, repo: string): Forge {
  const local = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(o.apiUrl);
  const where = { token: o.token, owner, repo, baseUrl: o.apiUrl, retryAfterBaseMs: local ? 20 : 1000 };
  return o.forge === 'forgejo' ? createForgejoForge(where) : createGitHubForge({ ...where, spaceWrites: !local });
}

/** Write the files into the checkout: new ones, and changed ones only with --force. */
async function writeLocal(o: InitOptions, files: Record<string, string>): Promise<number> {
  let changes = 0;
  const would = o.dryRun ? 'would ' : '';
  for (const [path, text] of Object.entries(files)) {
    const target = join(o.dir!, path);
    const have = existsSync(target) ? readFileSync(target, 'utf8') : null;
    if (have === text) {
      o.out(`  unchanged ${path}`);
      continue;
    }
    if (have !== null && !o.force) {
      o.out(`  differs   ${path}: left as it is (--force overwrites it)`);
      continue;
    }
    o.out(`  ${`${would}${have === null ? 'create' : 'update'}`.padEnd(9)} ${target}`);
    changes += 1;
    if (o.dryRun) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return changes;
}

async function ensureLabels(o: InitOptions, forge: Forge, would: string): Promise<number> {
  const names = labelNames(o.labelPrefix);
  const have = new Set((await forge.listRepoLabels()).map((l) => l.name.toLowerCase()));
  const missing = labelCatalog(names).filter((l) => !have.has(l.name.toLowerCase()));
  if (missing.length === 0) {
    o.out(`  unchanged labels: all ${labelCatalog(names).length} agentloop labels exist`);
    return 0;
  }
  for (const l of missing) o.out(`  ${`${would}create`.padEnd(9)} label ${l.name} (#${l.color}: ${l.description})`);
  if (!o.dryRun) await new LabelWriter(forge, names).ensure(missing.map((l) => l.name));
  return missing.length;
}
