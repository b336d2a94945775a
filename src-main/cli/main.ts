/**
 * `npm run -s v2l -- <command>`: the studio's engine from a terminal. Errors print one line naming the cause
 * and exit with status 1; usage mistakes exit with 2.
 */
import { isStudioError } from '../engine/errors';
import type { Command } from './command';
import { ask } from './commands/ask';
import { bank } from './commands/bank';
import { evalCommand } from './commands/eval';
import { info } from './commands/info';
import { inspect } from './commands/inspect';
import { restore } from './commands/restore';

const COMMANDS: readonly Command[] = [info, inspect, restore, evalCommand, bank, ask];

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`);
  return ['Usage: npm run -s v2l -- <command> [options]', '', 'Commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const asksHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
  if (asksHelp(rest[0]) || (command.help !== undefined && rest.some(asksHelp))) {
    console.log(
      `Usage: npm run -s v2l -- ${command.usage}\n\n${command.summary}${command.help ? `\n\n${command.help}` : ''}`,
    );
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    const message = isStudioError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
    console.error(`v2l ${name}: ${message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
