// The scripted agent's conflict handling (scripted-agent.ts): finding and resolving conflict markers the
// way a person keeping one side would, and its error type.

/** A problem with the script, the environment or a path: exit 2 with a clear message. */
export class ScriptedAgentError extends Error {}

const MARK = {
  start: /^<{7}(?:[ \t]|\r?\n|$)/,
  base: /^\|{7}(?:[ \t]|\r?\n|$)/,
  mid: /^={7}(?:\r?\n|$)/,
  end: /^>{7}(?:[ \t]|\r?\n|$)/,
};

/** Whether text holds a conflict-start marker line. */
export function hasConflictMarkers(text: string): boolean {
  return text.split(/(?<=\n)/).some((line) => MARK.start.test(line));
}

/**
 * Resolve every conflict hunk in `text`: `ours` keeps the upper side (between `<<<<<<<` and
 * `|||||||`/`=======`), `theirs` the lower side (between `=======` and `>>>>>>>`). Lines outside
 * hunks and line endings are kept as they are.
 */
export function resolveConflictMarkers(text: string, side: 'ours' | 'theirs'): { text: string; hunks: number } {
  let state: 'out' | 'ours' | 'base' | 'theirs' = 'out';
  let hunks = 0;
  let out = '';
  for (const line of text.split(/(?<=\n)/)) {
    if (state === 'out' && MARK.start.test(line)) state = 'ours';
    else if (state === 'ours' && MARK.base.test(line)) state = 'base';
    else if ((state === 'ours' || state === 'base') && MARK.mid.test(line)) state = 'theirs';
    else if (state === 'theirs' && MARK.end.test(line)) {
      state = 'out';
      hunks++;
    } else if (state === 'out' || state === side) out += line;
  }
  if (state !== 'out') throw new ScriptedAgentError('unterminated conflict hunk (a <<<<<<< without its >>>>>>>)');
  return { text: out, hunks };
}
