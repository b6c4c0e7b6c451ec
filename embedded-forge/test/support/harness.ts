// A started embedded forge with one repository (acme/widget), the roles the tests use, and request
// validation against GitHub's OpenAPI description on. (agentloop's own harness, which also runs the
// bundled action, is test/support/harness.ts at the repository root.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRequest } from '../../src/openapi.js';
import { EmbeddedForge } from '../../src/server.js';
import type { IssueRec, RepoState } from '../../src/state.js';

export interface Harness {
  forge: EmbeddedForge;
  repo: RepoState;
  dir: string;
  tokenFor(login: string): string;
  stop(): Promise<void>;
}

export async function startHarness(
  files: Record<string, string> = { 'README.md': '# widget\n', 'src/add.js': 'export const add = (a, b) => a - b;\n' },
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'embedded-forge-test-'));
  const forge = new EmbeddedForge({ root: dir, validate: (req) => validateRequest(req) });
  await forge.start();
  const repo = await forge.createRepo('acme', 'widget', files);
  forge.addCollaborator(repo, 'maria', 'write');
  forge.addCollaborator(repo, 'tom', 'triage');
  forge.state.user('github-actions[bot]').type = 'Bot';
  return {
    forge,
    repo,
    dir,
    tokenFor: (login) => forge.token(login),
    stop: async () => {
      await forge.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An open issue by `user`, put straight into the forge's state (no event). */
export function openIssue(h: Harness, title: string, body: string, user = 'maria'): IssueRec {
  const at = h.forge.state.now();
  const issue: IssueRec = {
    id: h.forge.state.id(),
    number: h.forge.state.nextNumber(h.repo),
    title,
    body,
    state: 'open',
    stateReason: null,
    labels: [],
    user,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    isPull: false,
  };
  h.repo.issues.push(issue);
  return issue;
}
