// `agentloop doctor --repo owner/name`: checks a real installation with the token it is given and returns
// every finding (ok / warning / problem, each with its fix). Reads only.
import {
  type Finding,
  LEVEL_ORDER,
  labelFindings,
  permissionFindings,
  renderFindings,
  settingFindings,
  tokenFindings,
} from '../core/doctor.js';
import { type Release, workflowFindings } from '../core/doctor-workflows.js';
import { createGitHubReader } from '../forge/github-reader.js';
import { RepoUnreadable, readInstallation } from '../services/doctor-reads.js';

export interface DoctorOptions {
  repo: string;
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

const TOPICS: Finding['topic'][] = ['token', 'permissions', 'settings', 'config', 'workflows', 'secrets', 'labels'];

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const [owner, name, ...rest] = opts.repo.split('/');
  if (!owner || !name || rest.length) throw new Error(`--repo takes owner/name, got "${opts.repo}"`);
  if (!opts.token) throw new Error('doctor needs a token: set GITHUB_TOKEN (the token agentloop uses, to check its permissions)');
  const local = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(opts.apiUrl);
  const reader = createGitHubReader({
    token: opts.token,
    baseUrl: opts.apiUrl,
    retryAfterBaseMs: local ? 20 : 1000,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const title = `agentloop doctor — ${opts.repo}`;
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
  // Grouped by topic, problems first within each.
  findings.sort((a, b) => TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
  const problems = findings.filter((f) => f.level === 'problem').length;
  return { findings, text: renderFindings(title, findings), problems, requests: reader.stats().requests };
}
