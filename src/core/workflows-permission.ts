// GitHub refuses any push or update-branch that would create or change a file under .github/workflows/
// unless the token may write workflows ("refusing to allow a GitHub App to create or update workflow
// `…` without `workflows` permission"). A rebase onto a base that changed a workflow carries that change,
// so agentloop recognises the refusal (git's stderr or the API's message) and says precisely what to grant.
// Pure.

export interface WorkflowsRefusal {
  /** The workflow file GitHub named, when it did. */
  file?: string;
  /** The kind of token GitHub says it refused: an App (or the workflow token), a PAT, an OAuth app. */
  token: 'app' | 'pat' | 'oauth' | 'unknown';
}

const FULL =
  /refusing to allow (?:a |an )?(GitHub App|Personal Access Token|OAuth App)\b.*? to create or update workflow [`'"]?([^`'"\s)]+)[`'"]? without [`'"]?workflows?[`'"]? (?:permission|scope)/i;
const SHORT = /without [`'"]?workflows?[`'"]? (?:permission|scope)/i;

export function workflowsRefusal(text: string): WorkflowsRefusal | undefined {
  const full = FULL.exec(text);
  if (full) {
    const who = full[1]!.toLowerCase();
    return { file: full[2]!, token: who === 'github app' ? 'app' : who === 'oauth app' ? 'oauth' : 'pat' };
  }
  return SHORT.test(text) ? { token: 'unknown' } : undefined;
}

export interface RefusedChange {
  /** push: agentloop's own push (of a rebased branch, when base is known); update-branch: GitHub's API. */
  action: 'push' | 'update-branch';
  branch?: string;
  /** The branch the workflow change came from (a rebase onto it, or update-branch from it). */
  base?: string;
  /** The escalation label agentloop added (NeedSupervisor by default). */
  label: string;
}

/** What happened and exactly what to grant, for the status comment (Markdown). */
export function workflowsGrantText(refusal: WorkflowsRefusal, change: RefusedChange): string {
  const file = refusal.file ? `\`${refusal.file}\`` : 'a file under `.github/workflows/`';
  const branch = change.branch ? `\`${change.branch}\`` : 'the branch';
  const what =
    change.action === 'update-branch'
      ? `bringing ${branch} up to date with \`${change.base ?? 'its base'}\` (update-branch)`
      : change.base
        ? `pushing ${branch} rebased onto \`${change.base}\``
        : `agentloop's push to ${branch}`;
  const origin = change.base
    ? ` The workflow change comes from \`${change.base}\` (it changed the file after the PR branched); the PR itself needs no such change.`
    : '';
  return [
    `GitHub refused ${what}: it would create or update the workflow ${file}, and agentloop's token may not write workflows.${origin}`,
    '',
    `agentloop added \`${change.label}\`. Give the token permission to write workflow files, then remove \`${change.label}\` and agentloop tries again:`,
    '',
    '- **GitHub App**: Repository permissions → **Workflows: Read and write**; then accept the new permission on the installation (a token minted before that keeps the old permissions until it expires, at most an hour).',
    '- **fine-grained personal access token**: Repository permissions → **Workflows: Read and write**.',
    '- **classic personal access token**: the `workflow` scope.',
    '',
    'The workflow token (GITHUB_TOKEN) can never change workflow files: agentloop needs an App or a PAT for this (README: Tokens). Or bring the branch up to date yourself.',
  ].join('\n');
}
