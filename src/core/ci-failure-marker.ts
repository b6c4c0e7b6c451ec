// The hidden marker that makes a ci-failure issue the stable handle of one workflow (DESIGN §3).
export const CI_FAILURE_MARKER = (workflow: string) => `<!-- agentloop:ci-failure ${JSON.stringify(workflow)} -->`;
const CI_FAILURE_RE = /<!-- agentloop:ci-failure ("(?:[^"\\]|\\.)*") -->/;

export function trackedWorkflow(body: string): string | undefined {
  const m = CI_FAILURE_RE.exec(body);
  try {
    return m ? (JSON.parse(m[1]!) as string) : undefined;
  } catch {
    return undefined;
  }
}
