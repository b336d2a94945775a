/** One CLI subcommand: its usage line and what it does with the remaining arguments. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /**
   * Printed after the usage and summary for `<command> --help`. A command without it reads --help itself (eval
   * passes it on to the evaluation named), except as its first argument.
   */
  readonly help?: string;
  run(args: string[]): Promise<void>;
}

/** Prints a result either as one JSON line (--json, for scripts) or as aligned "key: value" lines. */
export function printResult(result: Record<string, unknown>, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(width)}  ${String(value)}`);
}
