// Where a run's words go: the Actions log (via @actions/core) or, for the CLI, a plain stream.
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** A collapsed log group around fn (agent output lives in one). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  error: () => {},
  group: (_name, fn) => fn(),
};
