// The agent's answers to review threads: lines of its final message that start with a comment's id in
// brackets (prompts/address-review.md). Only ids of the threads it was given count; one answer a thread.
import type { ReviewCommentData } from './model.js';

export interface ThreadAnswer {
  comment: ReviewCommentData;
  answer: string;
}

const ANSWER = /^\s*(?:[-*]\s*)?\[(\d+)\]\s*[:—-]?\s*(.+)$/;

export function threadAnswers(message: string, threads: readonly ReviewCommentData[]): ThreadAnswer[] {
  const byId = new Map(threads.map((c) => [c.id, c]));
  const out = new Map<number, ThreadAnswer>();
  for (const line of message.split('\n')) {
    const m = ANSWER.exec(line);
    if (!m) continue;
    const comment = byId.get(Number(m[1]));
    const answer = m[2]!.trim().slice(0, 2000);
    if (comment && answer && !out.has(comment.id)) out.set(comment.id, { comment, answer });
  }
  return [...out.values()];
}
