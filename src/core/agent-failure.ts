// Why an agent run failed, in words a maintainer can act on: the model API's HTTP status, when the
// CLI's own error text names one (Claude Code: "API Error: 401 …", "Request rejected (429)"; others:
// "status 500", "HTTP 503"), becomes a hint about the key, the rate limit or the provider.

const STATUS_PATTERNS = [
  /API Error\b[^\d\n]{0,40}\b([45]\d\d)\b/i,
  /\bstatus(?: code)?[:= ]\s*([45]\d\d)\b/i,
  /\bHTTP(?:\/\d(?:\.\d)?)?\s+([45]\d\d)\b/,
];

/** The model API's HTTP error status named in the CLI's error text, if any. */
export function modelApiStatus(text: string): number | undefined {
  for (const p of STATUS_PATTERNS) {
    const m = p.exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Words a CLI uses for a provider-side failure without naming the status (Codex on a 500: "high demand"). */
const TEMPORARY = /experiencing high demand|overloaded|temporarily unavailable/i;

/** The hint for the CLI's error text: from the status it names, else from words for a temporary failure. */
export function modelApiProblem(text: string): string | undefined {
  const status = modelApiStatus(text);
  if (status !== undefined) return modelApiHint(status);
  if (TEMPORARY.test(text)) return 'The model provider reported a temporary problem on its side: retry later.';
  return undefined;
}

/** What a model API status means for the person reading the status comment. */
export function modelApiHint(status: number): string {
  if (status === 401 || status === 403)
    return `The model API refused the agent's credentials (HTTP ${status}): check the model key the workflow passes to the agent (for example the ANTHROPIC_API_KEY secret).`;
  if (status === 429) return 'The model API answered 429 (rate limit or quota exhausted): wait or raise the limit, then retry.';
  if (status >= 500) return `The model API failed (HTTP ${status}), usually a temporary problem on the provider's side: retry later.`;
  return `The model API answered HTTP ${status}.`;
}
