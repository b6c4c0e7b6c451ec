// Installs agentloop's workflow templates into a repository the way a maintainer would: copy them and
// edit the agent lines of the agentloop step (comments and everything else kept). The templates' agent
// CLI install step (`id: agent-cli`, an `npm install --global`) is left out: the embedded runner runs on
// this machine, never installs anything globally, and the demo and tests provide the agent themselves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';

export interface InstallOptions {
  /** `with:` values to set on every agentloop step (e.g. agent, agent-command). */
  with: Record<string, string>;
  /** Environment variables to drop from the agentloop step (e.g. ANTHROPIC_API_KEY for a scripted agent). */
  dropEnv?: string[];
  /** Replace the names of the CI workflows the templates listen to (`workflow_run.workflows`). */
  ciWorkflows?: string[];
  /** The workflow directory in the repository (Forgejo reads the first of .forgejo/.gitea/.github that exists). */
  dir?: string;
}

export function installWorkflows(templatesDir: string, opts: InstallOptions): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(templatesDir).filter((f) => f.endsWith('.yml'))) {
    const doc = parseDocument(readFileSync(join(templatesDir, name), 'utf8'));
    const jobs = doc.get('jobs') as YAMLMap | undefined;
    for (const job of jobs?.items ?? []) {
      const steps = (job.value as YAMLMap).get('steps');
      if (!isSeq(steps)) continue;
      steps.items = steps.items.filter((step) => !(isMap(step) && step.get('id') === 'agent-cli'));
      for (const step of steps.items) {
        if (!isMap(step)) continue;
        const uses = step.get('uses');
        if (typeof uses !== 'string' || !/\/agentloop@/.test(uses)) continue;
        for (const [key, value] of Object.entries(opts.with)) step.setIn(['with', key], value);
        const env = step.get('env');
        if (isMap(env)) {
          for (const key of opts.dropEnv ?? []) env.delete(key);
          if (env.items.length === 0) step.delete('env');
        }
      }
    }
    if (opts.ciWorkflows) {
      const wr = doc.getIn(['on', 'workflow_run', 'workflows']);
      if (isSeq(wr)) wr.items = opts.ciWorkflows.map((w) => doc.createNode(w)) as typeof wr.items;
    }
    files[`${opts.dir ?? '.github/workflows'}/${name}`] = doc.toString();
  }
  return files;
}
