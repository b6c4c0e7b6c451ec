// The reviewer agent's answer (prompts/review.md): one JSON object, in a fenced block or bare.
import * as z from 'zod';

const verdictSchema = z.object({
  verdict: z.enum(['approve', 'request_changes']),
  summary: z.string().max(20_000).default(''),
  comments: z
    .array(z.object({ path: z.string().min(1).max(500), line: z.number().int().min(1), body: z.string().min(1).max(5_000) }))
    .max(50)
    .default([]),
});

export type ReviewVerdict = z.infer<typeof verdictSchema>;

export type VerdictRead = { ok: true; verdict: ReviewVerdict } | { ok: false; problem: string };

export function readVerdict(message: string): VerdictRead {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n\s*```/.exec(message)?.[1];
  const text = (fenced ?? message).trim();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'its answer is not the JSON object the review prompt asks for' };
  }
  const parsed = verdictSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `its answer does not fit: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, verdict: parsed.data };
}
