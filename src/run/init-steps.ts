// What `agentloop init` leaves to the maintainer, said as exact steps: the secrets and variables the
// installed workflows read, the repository setting the workflow token needs, the App to create.
import { AREAS } from '../core/doctor.js';
import { labelNames } from '../core/labels.js';
import { AGENT_PACKAGE, AGENT_SECRET, type InstallSpec, STRONG_TOKEN_SECRET } from '../core/workflow-install.js';

export interface StepsInput {
  repo?: string;
  dir?: string;
  spec: InstallSpec;
  files: Record<string, string>;
  ciWorkflows?: string[];
  pullUrl?: string;
  /** github (default) or forgejo. */
  forge?: string;
  /** The API init talked to (Forgejo's doctor step names it). */
  apiUrl?: string;
}

const permissions = (checks: boolean) =>
  `Repository permissions: ${Object.values(AREAS)
    .filter((a) => checks || a.name !== 'Checks')
    .map((a) => `${a.name}: ${a.access}`)
    .join(
      '; ',
    )} (Metadata: Read-only comes with them); Workflows: Read and write only if PR branches must take in workflow changes from the base`;

export function nextSteps(a: StepsInput): string[] {
  if (a.forge === 'forgejo') return forgejoSteps(a);
  const repo = a.repo ?? 'OWNER/REPO';
  const lines: string[] = ['Next steps:'];
  let n = 0;
  const step = (first: string, ...more: string[]) => lines.push(`${++n}. ${first}`, ...more.map((m) => `   ${m}`));
  const text = Object.values(a.files).join('\n');
  const secrets = new Set([...text.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).filter((s) => s !== 'GITHUB_TOKEN'));

  const agentKey = AGENT_SECRET[a.spec.agent];
  if (agentKey && secrets.has(agentKey))
    step(
      `Add the agent's model key as a secret (a key for agentloop alone, with a spend cap):`,
      `gh secret set ${agentKey} -R ${repo}`,
      ...(a.spec.agent === 'opencode'
        ? ['(opencode: the key of the provider your `model` names, e.g. OPENAI_API_KEY; change the env line to match)']
        : []),
    );
  const pkg = AGENT_PACKAGE[a.spec.agent];
  if (pkg && !text.includes(pkg))
    step(
      `The ${a.spec.agent} CLI must be on the runner's PATH: add a step before the agentloop step in the plan and code workflows:`,
      `- run: npm install -g ${pkg}`,
    );
  if (a.spec.tokenKind === 'pat' && secrets.has(STRONG_TOKEN_SECRET))
    step(
      `Create a fine-grained personal access token, best of a bot account with write access (https://github.com/settings/personal-access-tokens/new):`,
      `Repository access: only ${repo}. ${permissions(false)}.`,
      'GitHub offers fine-grained PATs no Checks permission: agentloop then reads CI from commit statuses and Actions jobs (an App sees check runs of other apps too).',
      `gh secret set ${STRONG_TOKEN_SECRET} -R ${repo}`,
      "Its pushes and PRs start your CI (the workflow token's would not).",
    );
  const appSecrets = new Set<string>();
  if (a.spec.tokenKind === 'app') {
    const id = /\b(?:client-id|app-id):\s*\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}/.exec(text);
    const key = /\bprivate-key:\s*\$\{\{\s*secrets\.(\w+)\s*\}\}/.exec(text);
    if (id) appSecrets.add(id[2]!);
    if (key) appSecrets.add(key[1]!);
    step(
      `Create a GitHub App (https://github.com/settings/apps/new, or your organization's Settings → Developer settings → GitHub Apps):`,
      `Webhook: off (uncheck Active). ${permissions(true)}.`,
      `Install it on ${repo} only, generate a private key, then:`,
      ...(id ? [`gh ${id[1] === 'vars' ? 'variable' : 'secret'} set ${id[2]} -R ${repo} --body <the App's Client ID>`] : []),
      ...(key ? [`gh secret set ${key[1]} -R ${repo} < <the downloaded private key .pem>`] : []),
      'When the sweep requeues a plan run it applies the plan label as the App: add `allowed-bots: <app-slug>[bot]` to .github/agentloop.yml.',
    );
  }
  for (const s of [...secrets].filter((s) => s !== agentKey && s !== STRONG_TOKEN_SECRET && !appSecrets.has(s)).sort())
    step(`The workflows read secrets.${s}:`, `gh secret set ${s} -R ${repo}`);
  if (a.spec.tokenKind === 'workflow')
    step(
      `The code lane runs with the workflow token: let GitHub Actions open pull requests (${repo} → Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"), or:`,
      `gh api -X PUT repos/${repo}/actions/permissions/workflow -F can_approve_pull_request_reviews=true`,
      'Note: PRs opened with the workflow token start no CI, so they never turn green; --token-kind app or pat avoids that.',
    );
  if (!a.spec.ciWorkflows?.length) {
    const names = [
      ...new Set([...text.matchAll(/workflows:\s*\[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(',').map((x) => x.trim()))),
    ].filter(Boolean);
    step(
      `agentloop learns that CI finished from the workflows named ${names.join(', ') || 'CI'} (on.workflow_run.workflows).`,
      'If your CI workflows are called otherwise, run init again with --ci "<name>" for each (and --force with --dir).',
    );
  }
  if (a.pullUrl) step(`Review and merge ${a.pullUrl}`);
  else if (a.dir)
    step(
      `Commit and push the workflows: git -C ${a.dir} add .github/workflows && git -C ${a.dir} commit -m "Install agentloop" && git -C ${a.dir} push`,
    );
  step(`Check the installation: npx agentloop doctor --repo ${repo} (with the token agentloop uses as GITHUB_TOKEN)`);
  return lines;
}

/** Forgejo: a bot user and its token, the secrets and the runner variable, set in the web UI (no `gh`). */
function forgejoSteps(a: StepsInput): string[] {
  const repo = a.repo ?? 'OWNER/REPO';
  const lines: string[] = ['Next steps (Forgejo; docs/forgejo.md: Installation, step by step):'];
  let n = 0;
  const step = (first: string, ...more: string[]) => lines.push(`${++n}. ${first}`, ...more.map((m) => `   ${m}`));
  const text = Object.values(a.files).join('\n');
  const settings = `${repo} → Settings → Actions`;
  step(
    'Create a bot user for agentloop (e.g. agentloop-bot) and add it as a collaborator with Administrator access',
    `(${repo} → Settings → Collaborators). agentloop acts as this user: its comments, labels, PRs and merges.`,
    "Forgejo lets only repository admins read another user's permission, which agentloop checks before it acts on a label.",
  );
  step(
    "Signed in as the bot user, create an access token (Settings → Applications → Access tokens) with the scopes repository: Read and write, issue: Read and write, user: Read; then store it in the repository's secrets:",
    `${settings} → Secrets → Add secret: AGENTLOOP_TOKEN`,
    "Every lane uses it, the plan lane too: the automatic token cannot read other users' permissions, so agentloop would refuse to run.",
  );
  const agentKey = AGENT_SECRET[a.spec.agent];
  if (agentKey && text.includes(`secrets.${agentKey}`))
    step(
      `Add the agent's model key (a key for agentloop alone, with a spend cap): ${settings} → Secrets → Add secret: ${agentKey}`,
      ...(a.spec.agent === 'opencode'
        ? ['(opencode: the key of the provider your `model` names, e.g. OPENAI_API_KEY; change the env line to match)']
        : []),
    );
  step(
    `Say which runner runs agentloop: ${settings} → Variables → Add variable: AGENTLOOP_RUNS_ON = a label of one of your runners`,
    "(without it the workflows ask for `docker`). The job's image needs node, npm and git.",
  );
  const names = labelNames(a.spec.labelPrefix);
  if (!a.repo)
    step(
      `Create the labels people apply (${repo} → Issues → Labels): ${names.plan}, ${names.code}, ${names.breakdown} and ${names.breakdownApprove}; agentloop creates the others when it first needs them`,
      '(or run init with --repo, which creates them). On Forgejo, adding a label that does not exist silently does nothing.',
    );
  if (a.pullUrl) step(`Review and merge ${a.pullUrl}`);
  else if (a.dir)
    step(
      `Commit and push the workflows: git -C ${a.dir} add ${Object.keys(a.files)[0]?.replace(/\/[^/]+$/, '') ?? '.forgejo/workflows'} && git -C ${a.dir} commit -m "Install agentloop" && git -C ${a.dir} push`,
    );
  step(
    'CI completion is noticed by the sweep, which polls every 10 minutes (Forgejo has no workflow_run event): a PR turning green or red may wait that long.',
  );
  const api = a.apiUrl && !/^https:\/\/api\.github\.com\/?$/.test(a.apiUrl) ? a.apiUrl : 'https://your-forgejo/api/v1';
  step(
    `Check the installation: GITHUB_API_URL=${api} npx agentloop doctor --forge forgejo --repo ${repo} (with the bot user's token as GITHUB_TOKEN)`,
  );
  return lines;
}
