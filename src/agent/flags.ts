// Finding a CLI's options in an argument list as its own parser would (DESIGN §8: agent-args cannot
// widen a read-only run). Long options in every spelling the parsers accept — `--name value`,
// `--name=value`, camelCase (`--allowedTools`, and yargs's `--approvalMode`), yargs's `--no-name` — and
// short options alone or in clusters (`-dy`, `-sVALUE`). Conservative: a value that happens to look like
// one of these options is reported too, which refuses a harmless run rather than allowing a wider one.
// None of the CLIs accept abbreviated long options (commander, clap and yargs-parser do not by default;
// codex answers "unexpected argument '--sandb'").

/** The options of a CLI that a read-only run must not be given, as the CLI's help names them. */
export interface FlagSpec {
  /** Long option names without dashes, in kebab-case. */
  long: readonly string[];
  /** Short options (single letters) among them. */
  short: string;
  /** Short options that take a value: in a cluster, what follows one of them is its value. */
  shortWithValue: string;
  /** The CLI parses with yargs: `--no-name` sets `name` too. */
  yargs?: boolean;
}

const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The arguments that are (or may be parsed as) one of `spec`'s options, as written. */
export function flagsIn(args: readonly string[], spec: FlagSpec): string[] {
  const long = new Set(spec.long);
  const hits: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('--') && arg.length > 2) {
      const name = arg.slice(2).split('=')[0]!;
      const forms = [name.toLowerCase(), kebab(name)];
      if (spec.yargs) forms.push(...forms.filter((f) => f.startsWith('no-')).map((f) => f.slice(3)));
      if (forms.some((f) => long.has(f))) hits.push(arg);
    } else if (/^-[^-\d]/.test(arg)) {
      for (const c of arg.slice(1)) {
        if (spec.short.includes(c)) {
          hits.push(arg);
          break;
        }
        if (spec.shortWithValue.includes(c)) break;
      }
    }
  }
  return hits;
}

/** The error a read-only run gives for agent-args that would widen it. */
export function readOnlyArgsError(agent: string, conflicts: readonly string[], own: string): Error {
  return new Error(
    `agent-args ${conflicts.join(' ')} would widen ${agent}'s read-only plan run: agentloop sets ${own} itself, and ` +
      `the tools, permissions, sandbox, directories, settings and sessions of a plan run are not configurable. ` +
      `Remove ${conflicts.length === 1 ? 'it' : 'them'} from agent-args (they apply to plan runs too).`,
  );
}
