// What every sub-command of `llmfs` is: a one-line summary and a run function. Each command file
// exports one of these; commands.ts lists them (so no command file imports the registry).

export interface Command {
  /** One line for `llmfs --help`. */
  summary: string;
  /** Runs the command; returns the process exit code (0 when omitted). */
  run(argv: string[]): Promise<number | void> | number | void;
}
