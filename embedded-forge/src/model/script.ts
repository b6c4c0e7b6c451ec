// What a scripted model does, independent of any model API: per conversation, a list of turns. A turn
// asks the CLI to run tools (read, write, edit, run a command) or answers text; or it fails the way a
// model API fails (an HTTP error, a stall, a malformed stream). Each dialect (anthropic.ts, openai.ts,
// gemini.ts) turns these into its own tool names, arguments and stream events.

/** One tool call, in the CLI-neutral form a script uses. Paths are relative to the CLI's working directory. */
export type ModelAction =
  | { read: string }
  | { write: string; content: string }
  | { edit: string; old: string; new: string }
  | { bash: string };

/**
 * An HTTP error (`times`: only the first N times this turn is asked, then the turn's own answer — a
 * transient failure a retrying CLI gets past), a stall (headers, then nothing), or a malformed stream.
 */
export type ModelFailure = { status: number; message?: string; times?: number } | 'stall' | 'malformed';

export interface ModelTurn {
  /** Tool calls the CLI runs before it asks again. */
  actions?: ModelAction[];
  /** The answer's text (the final answer when there are no actions). */
  text?: string;
  /** Instead of answering: fail as a model API can. */
  fail?: ModelFailure;
}

export interface ModelConversation {
  /** A regular expression the conversation's first user text must match (default: any). */
  match?: string;
  turns: ModelTurn[];
}

export interface ModelScript {
  /** The first conversation whose `match` matches answers; a conversation past its turns answers `done`. */
  conversations: ModelConversation[];
  /** The text answered past the last turn, and to side calls (a request that offers no tools). */
  done?: string;
}

/** What a dialect reads from one request. */
export interface ConversationFacts {
  /** The first user text (the CLI's prompt, after its own preamble). */
  prompt: string;
  /** Model turns already in the request: the index of the turn to answer, so a retry gets the same one. */
  modelTurns: number;
  /** Whether the request offers tools (a request without tools is a side call: titles, routing). */
  tools: boolean;
  /** The names of the tools offered. */
  toolNames: string[];
}

export interface ChosenTurn {
  conversation: number;
  index: number;
  turn: ModelTurn;
  side: boolean;
}

export function chooseTurn(script: ModelScript, facts: ConversationFacts): ChosenTurn {
  const done: ModelTurn = { text: script.done ?? 'Done.' };
  if (!facts.tools) return { conversation: -1, index: facts.modelTurns, turn: done, side: true };
  const conversation = script.conversations.findIndex((c) => !c.match || new RegExp(c.match, 'ms').test(facts.prompt));
  const turns = script.conversations[conversation]?.turns ?? [];
  return { conversation, index: facts.modelTurns, turn: turns[facts.modelTurns] ?? done, side: false };
}
