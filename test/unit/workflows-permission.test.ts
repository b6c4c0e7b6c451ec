// GitHub refuses a push or an update-branch that would create or change .github/workflows/* unless the
// token may write workflows. After a rebase onto a base that changed a workflow, the push carries that
// change: agentloop must recognise the refusal and say precisely what to grant.
import { describe, expect, it } from 'vitest';
import { workflowsGrantText, workflowsRefusal } from '../../src/core/workflows-permission.js';

const gitStderr = (who: string, what: string) =>
  [
    'To https://github.com/acme/widget.git',
    ` ! [remote rejected] HEAD -> agentloop/issue-7 (refusing to allow ${who} to create or update workflow \`.github/workflows/ci.yml\` without ${what})`,
    "error: failed to push some refs to 'https://github.com/acme/widget.git'",
  ].join('\n');

describe('recognising the workflows-permission refusal', () => {
  it('in git push stderr, for each kind of token', () => {
    expect(workflowsRefusal(gitStderr('a GitHub App', '`workflows` permission'))).toEqual({
      file: '.github/workflows/ci.yml',
      token: 'app',
    });
    expect(workflowsRefusal(gitStderr('a Personal Access Token', '`workflow` scope'))).toEqual({
      file: '.github/workflows/ci.yml',
      token: 'pat',
    });
    expect(workflowsRefusal(gitStderr('an OAuth App', '`workflow` scope'))).toEqual({ file: '.github/workflows/ci.yml', token: 'oauth' });
  });

  it("in the API's message (update-branch answers 422 with it)", () => {
    expect(
      workflowsRefusal(
        'refusing to allow a GitHub App to create or update workflow `.github/workflows/release.yml` without `workflows` permission',
      ),
    ).toEqual({ file: '.github/workflows/release.yml', token: 'app' });
    // Whatever the wording around it, "without `workflows` permission" is the refusal.
    expect(workflowsRefusal('Validation Failed: without `workflows` permission')).toEqual({ token: 'unknown' });
  });

  it('nothing else is mistaken for it', () => {
    expect(workflowsRefusal(' ! [rejected] HEAD -> agentloop/issue-7 (stale info)')).toBeUndefined();
    expect(workflowsRefusal('expected head sha didn’t match current head ref.')).toBeUndefined();
    expect(workflowsRefusal('remote: Permission to acme/widget.git denied to agentloop-bot.')).toBeUndefined();
    expect(workflowsRefusal('')).toBeUndefined();
  });
});

describe('what agentloop says to grant', () => {
  it('names the file, why it was touched, and the exact permission for every kind of token', () => {
    const text = workflowsGrantText(
      { file: '.github/workflows/ci.yml', token: 'app' },
      { action: 'push', branch: 'agentloop/issue-7', base: 'main', label: 'NeedSupervisor' },
    );
    expect(text).toContain('`.github/workflows/ci.yml`');
    expect(text).toMatch(/`main`/);
    expect(text).toMatch(/GitHub App.*Workflows.*Read and write/);
    expect(text).toMatch(/fine-grained personal access token.*Workflows.*Read and write/i);
    expect(text).toMatch(/classic personal access token.*`workflow` scope/i);
    expect(text).toMatch(/GITHUB_TOKEN.*never/);
    expect(text).toMatch(/remove `NeedSupervisor`/);
    expect(text).not.toMatch(/\n\n\n/);
  });

  it('says update-branch when it was the API that refused', () => {
    expect(
      workflowsGrantText({ token: 'unknown' }, { action: 'update-branch', branch: 'feature', base: 'main', label: 'NeedSupervisor' }),
    ).toMatch(/bringing `feature` up to date with `main`/);
  });
});
