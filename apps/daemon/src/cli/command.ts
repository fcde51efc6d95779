/** One `ops-daemon` command: what `help` prints, and what it runs (returning the exit code). */
export interface Command {
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
