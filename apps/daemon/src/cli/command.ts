/** One `ops-daemon` command: what it runs (returning the exit code). Its help is in command-table.ts. */
export interface Command {
  run(argv: string[]): Promise<number>;
}
