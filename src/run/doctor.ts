// `agentloop doctor --repo owner/name [--forge github|forgejo]`: checks a real installation with the token it
// is given and returns every finding (ok / warning / problem, each with its fix). Reads only.
import {
  type Finding,
  LEVEL_ORDER,
  labelFindings,
  permissionFindings,
  renderFindings,
  settingFindings,
  tokenFindings,
} from '../core/doctor.js';
import { forgejoFindings } from '../core/doctor-forgejo.js';
import { type Release, workflowFindings } from '../core/doctor-workflows.js';
import { createForgejoForge } from '../forge/forgejo.js';
import { createGitHubReader } from '../forge/github-reader.js';
import { RepoUnreadable, readInstallation } from '../services/doctor-reads.js';
import { readForgejoInstallation } from '../services/doctor-reads-forgejo.js';

export const DOCTOR_FORGES = ['github', 'forgejo'] as const;

export interface DoctorOptions {
  repo: string;
  /** github by default. */
  forge?: (typeof DOCTOR_FORGES)[number];
  token: string;
  apiUrl: string;
  release?: Release;
  /** Injected by tests. */
  fetch?: typeof fetch;
}

export interface DoctorReport {
  findings: Finding[];
  /** The report as the CLI prints it. */
  text: string;
  problems: number;
  requests: number;
}

const TOPICS: Finding['topic'][] = ['version', 'token', 'permissions', 'settings', 'config', 'workflows', 'secrets', 'labels'];

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const [owner, name, ...rest] = opts.repo.split('/');
  if (!owner || !name || rest.length) throw new Error(`--repo takes owner/name, got "${opts.repo}"`);
  if (!opts.token) throw new Error('doctor needs a token: set GITHUB_TOKEN (the token agentloop uses, to check its permissions)');
  const local = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(opts.apiUrl);
  const title = `agentloop doctor — ${opts.repo}`;
  if (opts.forge === 'forgejo') {
    if (/^https:\/\/api\.github\.com\/?$/.test(opts.apiUrl))
      throw new Error('--forge forgejo needs the API of your Forgejo: set GITHUB_API_URL=https://your-forgejo/api/v1');
    const forge = createForgejoForge({
      token: opts.token,
      owner,
      repo: name,
      baseUrl: opts.apiUrl,
      retryAfterBaseMs: local ? 20 : 1000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    const facts = await readForgejoInstallation(forge, opts.repo, opts.apiUrl);
    return report(`${title} (Forgejo)`, forgejoFindings(facts, opts.release), forge.stats().requests);
  }
  const reader = createGitHubReader({
    token: opts.token,
    baseUrl: opts.apiUrl,
    retryAfterBaseMs: local ? 20 : 1000,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  let findings: Finding[];
  try {
    const facts = await readInstallation(reader, owner, name, opts.token);
    const wf = workflowFindings(facts.repo, facts.workflows, opts.release);
    findings = [
      ...tokenFindings(facts.repo, facts.token),
      ...permissionFindings(facts.token.kind, facts.probes),
      ...settingFindings(facts.repo, facts.setting, wf.codeToken),
      ...wf.findings,
      ...labelFindings(facts.repo, wf.names, facts.labels),
    ];
  } catch (err) {
    if (!(err instanceof RepoUnreadable)) throw err;
    findings = [
      { level: 'problem', topic: 'token', message: err.message, fix: 'Pass the token agentloop uses as GITHUB_TOKEN; check --repo.' },
    ];
  }
  return report(title, findings, reader.stats().requests);
}

function report(title: string, findings: Finding[], requests: number): DoctorReport {
  // Grouped by topic, problems first within each.
  findings.sort((a, b) => TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
  const problems = findings.filter((f) => f.level === 'problem').length;
  return { findings, text: renderFindings(title, findings), problems, requests };
}
