// The built-in prompts, bundled into dist as text (esbuild `.md` text loader), and the choice between
// a built-in and a repository's override. Pure: the caller reads the override (from the default
// branch, never a PR head — DESIGN §5) and passes its text.

import addressReview from '../../prompts/address-review.md';
import breakdown from '../../prompts/breakdown.md';
import code from '../../prompts/code.md';
import fixCi from '../../prompts/fix-ci.md';
import plan from '../../prompts/plan.md';
import rebase from '../../prompts/rebase.md';
import review from '../../prompts/review.md';
import { PROMPT_NAMES, PromptError, type PromptName, validateTemplate } from '../core/prompt.js';

export const BUILTIN_PROMPTS: Readonly<Record<PromptName, string>> = Object.freeze({
  plan,
  code,
  'fix-ci': fixCi,
  'address-review': addressReview,
  review,
  rebase,
  breakdown,
});

export const DEFAULT_PROMPTS_DIR = '.agentloop/prompts';

/** Where a repository puts its override of a prompt. */
export function overridePath(name: PromptName, promptsDir: string = DEFAULT_PROMPTS_DIR): string {
  return `${promptsDir.replace(/\/+$/, '')}/${name}.md`;
}

export function isPromptName(name: string): name is PromptName {
  return (PROMPT_NAMES as readonly string[]).includes(name);
}

/**
 * The template to use for a prompt: the override when there is one (after checking that every
 * variable it uses is known — a PromptError naming the variable and the override's path otherwise),
 * else the built-in. An empty override is an error too. Call it before any write, so a bad override fails the run early.
 */
export function resolvePrompt(name: PromptName, override: string | null, opts: { promptsDir?: string } = {}): string {
  if (override === null) return BUILTIN_PROMPTS[name];
  const path = overridePath(name, opts.promptsDir);
  if (override.trim() === '') {
    throw new PromptError(
      `Prompt template "${path}" is empty. Delete it to use the built-in ${name} prompt, or write a prompt in it.`,
      path,
      [],
    );
  }
  validateTemplate(override, path);
  return override;
}
