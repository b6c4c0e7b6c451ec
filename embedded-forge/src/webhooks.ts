// Real webhook payloads from @octokit/webhooks-examples (GitHub's published examples), adapted to a
// repository and sender: what tests and the runner deliver instead of hand-written payloads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Group {
  name: string;
  examples: Record<string, unknown>[];
}

let groups: Group[] | undefined;

export function examplePayload(event: string, action?: string): Record<string, unknown> {
  groups ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'),
  ) as Group[];
  const group = groups.find((g) => g.name === event);
  const example = group?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example payload for ${event}${action ? `.${action}` : ''}`);
  return structuredClone(example);
}

type Fields = Record<string, unknown>;

/** An `issues.labeled` payload, typed as far as issueLabeledPayload adjusts it. */
export interface IssueLabeledPayload extends Fields {
  label: Fields;
  issue: Fields;
  sender: Fields;
  repository: Fields & { owner: Fields };
}

/** An `issues.labeled` payload for a given repository, issue, label and sender. */
export function issueLabeledPayload(opts: {
  owner: string;
  repo: string;
  number: number;
  label: string;
  sender: string;
  defaultBranch?: string;
  updatedAt?: string;
}): IssueLabeledPayload {
  const p = examplePayload('issues', 'labeled') as IssueLabeledPayload;
  p.label = { ...p.label, name: opts.label };
  p.issue = { ...p.issue, number: opts.number, updated_at: opts.updatedAt ?? new Date().toISOString() };
  p.sender = { ...p.sender, login: opts.sender, type: opts.sender.endsWith('[bot]') ? 'Bot' : 'User' };
  p.repository = {
    ...p.repository,
    name: opts.repo,
    full_name: `${opts.owner}/${opts.repo}`,
    default_branch: opts.defaultBranch ?? 'main',
    owner: { ...p.repository.owner, login: opts.owner },
  };
  return p;
}
