// The job log with GitHub's shape (timestamped lines, `##[group]`, `##[error]`, secrets masked as
// `***`) and the workflow commands a step prints on stdout.

/** `2024-05-01T12:00:00.1230000Z` — the runner's timestamp (7 fractional digits). */
function stamp(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/**
 * A job's log as the job-logs API serves it: every line prefixed with a timestamp, secrets (and
 * values registered with `::add-mask::`) replaced by `***`.
 */
export class JobLog {
  private text = '';
  private readonly masks = new Set<string>();
  /** Called (throttled by the caller's flush points) with the whole log. */
  constructor(private readonly onChange: (text: string) => void = () => {}) {}

  /** Values shorter than 2 characters are not masked (they would shred the log). */
  addMask(value: string | undefined): void {
    if (value === undefined) return;
    for (const v of [value, ...value.split(/\r?\n/)]) {
      if (v.trim().length >= 2) this.masks.add(v);
    }
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const m of [...this.masks].sort((a, b) => b.length - a.length)) out = out.split(m).join('***');
    return out;
  }

  line(text: string): void {
    for (const l of text.split(/\r?\n/)) this.text += `${stamp()} ${this.mask(l)}\n`;
  }

  flush(): void {
    this.onChange(this.text);
  }

  toString(): string {
    return this.text;
  }
}

export interface CommandSink {
  log: JobLog;
  /** `::set-output name=x::v` (deprecated but still honoured). */
  setOutput?(name: string, value: string): void;
}

/**
 * Splits process output into lines and applies workflow commands the way the runner does:
 * `::add-mask::`, `::error::`/`::warning::`/`::notice::` → `##[error]` …, `::group::`/`::endgroup::`,
 * `::debug::` (dropped: step debug logging is off), `::set-output`. Everything else is logged.
 */
export class OutputSplitter {
  private partial = '';
  constructor(private readonly sink: CommandSink) {}

  write(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.handle(l.replace(/\r$/, ''));
  }

  end(): void {
    if (this.partial !== '') this.handle(this.partial);
    this.partial = '';
  }

  private handle(line: string): void {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) {
      this.sink.log.line(line);
      return;
    }
    const [, cmd = '', props = '', value = ''] = m;
    switch (cmd) {
      case 'add-mask':
        this.sink.log.addMask(value);
        return;
      case 'debug':
        return;
      case 'error':
      case 'warning':
      case 'notice':
        this.sink.log.line(`##[${cmd}]${value}`);
        return;
      case 'group':
        this.sink.log.line(`##[group]${value}`);
        return;
      case 'endgroup':
        this.sink.log.line('##[endgroup]');
        return;
      case 'set-output': {
        const name = /(?:^|,)name=([^,]*)/.exec(props)?.[1];
        if (name) this.sink.setOutput?.(name, value);
        return;
      }
      default:
        this.sink.log.line(line);
        return;
    }
  }
}
