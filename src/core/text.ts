// Small text helpers for status comments.

/** The last line of an agent's output, short and safe inside inline code. */ export function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? '').slice(0, 200).replace(/`/g, "'");
}
