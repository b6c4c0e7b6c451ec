// What differs between the demo on GitHub and on Forgejo: the embedded forge's mode and the API
// description it checks requests against, the workflow templates, the maintainer's client, the bot's
// token, how labels on an item are stored, and how the loop comes to rest (Forgejo has no workflow_run).
import {
  EmbeddedForge,
  FORGEJO_SWAGGER_NAME,
  type RepoState,
  type RunRecord,
  specFile,
  swaggerFile,
  validateForgejoRequest,
  validateForgejoResponse,
  validateRequest,
  type WorkflowRunner,
} from '@agentloop/embedded-forge';
import type { Forge } from '../forge/forge.js';
import { createForgejoForge } from '../forge/forgejo.js';
import { createGitHubForge } from '../forge/github.js';

export const FLAVORS = ['github', 'forgejo'] as const;
export type DemoFlavor = (typeof FLAVORS)[number];

export function parseFlavor(value: string | undefined): DemoFlavor {
  const flavor = value ?? 'github';
  if (!(FLAVORS as readonly string[]).includes(flavor)) throw new Error(`--forge must be ${FLAVORS.join(' or ')}, got "${flavor}"`);
  return flavor as DemoFlavor;
}

/** The forge in the flavor's mode; requests (and on Forgejo answers) checked when the description is at hand. */
export function createDemoForge(flavor: DemoFlavor, root: string): EmbeddedForge {
  if (flavor === 'forgejo')
    return new EmbeddedForge({
      root,
      flavor,
      ...(swaggerFile() ? { validate: validateForgejoRequest, validateResponse: validateForgejoResponse } : {}),
    });
  return new EmbeddedForge({ root, ...(specFile() ? { validate: validateRequest } : {}) });
}

export function apiDescription(flavor: DemoFlavor): string {
  return flavor === 'forgejo'
    ? `Forgejo's API description (swagger ${FORGEJO_SWAGGER_NAME.replace(/^swagger\.|\.json$/g, '')})`
    : "GitHub's OpenAPI description";
}

export function maintainerClient(forge: EmbeddedForge, flavor: DemoFlavor, repo: RepoState, login: string): Forge {
  const common = { token: forge.token(login), owner: repo.owner, repo: repo.name, baseUrl: forge.urls.api };
  return flavor === 'forgejo' ? createForgejoForge(common) : createGitHubForge({ ...common, spaceWrites: false });
}

/**
 * A bot account's token, so its pushes and PRs start CI (README: Tokens). GitHub: a classic PAT with the
 * `repo` scope only (agentloop never writes workflow files). Forgejo: the bot user's access token, which
 * every lane's template asks for.
 */
export function botToken(forge: EmbeddedForge, flavor: DemoFlavor): string {
  return flavor === 'forgejo' ? forge.token('agentloop-bot') : forge.classicToken('agentloop-bot', ['repo']);
}

/** An item's labels by name: Forgejo mode keeps label ids on an item (names are not unique there). */
export function labelNames(repo: RepoState, flavor: DemoFlavor, labels: string[]): string[] {
  if (flavor !== 'forgejo') return labels;
  return labels.map((l) => repo.labels.find((x) => String(x.id) === l)?.name ?? l);
}

const AGENTLOOP_WORKFLOWS = new Set(['agentloop plan', 'agentloop code', 'agentloop sweep']);

/**
 * Until nothing is left to do. On GitHub, CI completion arrives as `workflow_run`; Forgejo has none, so the
 * sweep's schedule is fired as the cron would, until a tick starts no more work. False if it never rests.
 */
export async function settle(runner: WorkflowRunner, repo: RepoState, flavor: DemoFlavor): Promise<boolean> {
  await runner.idle();
  if (flavor !== 'forgejo') return true;
  for (let tick = 0; tick < 20; tick++) {
    const before = runner.runs.length;
    runner.tickSchedule(repo);
    await runner.idle();
    // At rest when the tick started no work: no CI, and no agentloop run that did more than decide "none".
    if (!runner.runs.slice(before).some(startedWork)) return true;
  }
  return false;
}

function startedWork(r: RunRecord): boolean {
  return (
    r.workflow.name !== 'agentloop sweep' &&
    r.conclusion !== 'skipped' &&
    (!AGENTLOOP_WORKFLOWS.has(r.workflow.name) || r.outputs.transition !== 'none')
  );
}
