// Small text helpers for status comments.

/** The last line of an agent's output, short and safe inside inline code. */ export function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? '').slice(0, 200).replace(/`/g, "'");
}

/** The sentence with its first letter in upper case. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
