// Prompt templates: a repository override from the default branch (never a PR head), else built-in.
import type { PromptName } from '../core/prompt.js';
import { overridePath, resolvePrompt } from './builtin-prompts.js';
import type { RunContext } from './context.js';

export async function loadPrompt(rc: RunContext, name: PromptName): Promise<string> {
  const dir = rc.config.promptsDir;
  const override = await rc.forge.getFileText(overridePath(name, dir), rc.defaultBranch);
  return resolvePrompt(name, override, { promptsDir: dir });
}
