// The chosen stack alone, as the heavy path would load it, and nothing of agentloop's: the floor the
// heavy path's start-up is compared with (scripts/bench.ts, docs/performance.md: Start-up). With
// FLOOR_URL set it also makes FLOOR_REQUESTS requests through Octokit (Node's fetch), as a run does.
import * as core from '@actions/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { parse } from 'yaml';
import * as z from 'zod';

const StackOctokit = Octokit.plugin(retry, throttling);
const octokit = new StackOctokit({
  auth: process.env.FLOOR_TOKEN ?? 'none',
  ...(process.env.FLOOR_URL ? { baseUrl: process.env.FLOOR_URL } : {}),
  throttle: { onRateLimit: () => false, onSecondaryRateLimit: () => false },
});
const schema = z.object({ stack: z.boolean() });
const loaded = schema.parse({ stack: [parse, fromMarkdown, gfmFromMarkdown, gfm].every(Boolean) });
for (let i = 0; i < Number(process.env.FLOOR_REQUESTS ?? 0); i++)
  await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widget' });
core.info(`stack loaded: ${loaded.stack}`);
process.exit();
