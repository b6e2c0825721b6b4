/**
 * The CLI's argument parsing on commander: each command declares its options and arguments once,
 * `--help` is answered before any action runs (so `faceless stack --help` starts nothing), and
 * what commander rejects becomes a UsageError naming the option, with commander's suggestion.
 */
import { Command, CommanderError } from 'commander';

/** A problem with what the user typed: printed as one line naming the option, exit code 2. */
export class UsageError extends Error {
  constructor(readonly option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'UsageError';
  }
}

/** What one run of a (sub)command parsed: the command reached, its arguments and its options. */
export interface Parsed {
  command: Command;
  /** The declared arguments in order; a variadic one is an array. */
  args: unknown[];
  /** The options by their flag without dashes ("media-dir", "no-music"), as the user typed them. */
  values: Record<string, string | string[] | boolean | undefined>;
}

/** A faceless command: commander that throws instead of exiting, with suggestions for typos. */
export function cliCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .showSuggestionAfterError(true)
    .helpOption('-h, --help', 'show this help')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .configureOutput({ outputError: () => {} });
}

/** An option that may be given more than once (--variant a --variant b). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** "faceless abtest create", for the hint at the end of an error. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function valuesOf(command: Command): Parsed['values'] {
  const opts = command.opts();
  const values: Parsed['values'] = {};
  for (const option of command.options) {
    const flag = (option.long ?? option.short ?? '').replace(/^-+/, '');
    const value = opts[option.attributeName()] as string | string[] | boolean | undefined;
    values[flag] = option.negate ? (value === false ? true : undefined) : value;
  }
  return values;
}

/** What commander said (unknown option, missing value…) as a UsageError that names the option and the fix. */
function usageError(err: CommanderError, at: Command): UsageError {
  const text = err.message.replace(/^error: /, '');
  const quoted = /'([^']+)'/.exec(text)?.[1] ?? '';
  const suggestion = /\(Did you mean (.+)\?\)/.exec(text)?.[1];
  const hint = `see "${commandPath(at)} --help"`;
  const didYouMean = suggestion ? `did you mean ${suggestion}? (${hint})` : hint;
  switch (err.code) {
    case 'commander.unknownOption':
      return new UsageError(quoted, `unknown option; ${didYouMean}`);
    case 'commander.unknownCommand':
      return new UsageError(quoted, `unknown command; ${didYouMean}`);
    case 'commander.optionMissingArgument':
      return new UsageError(quoted.split(/[\s,]/)[0] ?? quoted, `needs a value: ${quoted} (${hint})`);
    case 'commander.missingArgument':
      return new UsageError(`<${quoted}>`, `missing (${hint})`);
    case 'commander.excessArguments': {
      const extra = at.args[at.registeredArguments.length] ?? '';
      return new UsageError(extra, `unexpected argument for "${commandPath(at)}" (${hint})`);
    }
    default:
      return new UsageError(quoted || commandPath(at), `${text} (${hint})`);
  }
}

/**
 * Parses argv (the words after the command's own name) with `root`. Help (`--help`, `help <command>`)
 * is written to `out` and gives `{ help: 0 }`; a group given no subcommand writes its help and gives
 * `{ help: 2 }`. Anything commander rejects throws a UsageError. No action of `root` runs: the caller
 * acts on what was parsed, after parsing succeeded.
 */
export function parseCli(root: Command, argv: readonly string[], out: (text: string) => void): Parsed | { help: number } {
  let parsed: Parsed | undefined;
  let reached: Command = root;
  const prepare = (command: Command): void => {
    command.configureOutput({ writeOut: out, writeErr: out, outputError: () => {} });
    command.exitOverride();
    command.hook('preSubcommand', (_, sub) => { reached = sub; });
    if (command.commands.length === 0) {
      command.action(function (this: Command) {
        parsed = { command: this, args: [...this.processedArgs], values: valuesOf(this) };
      });
    }
    for (const sub of command.commands) prepare(sub);
  };
  prepare(root);
  try {
    root.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { help: 0 };
    if (err.code === 'commander.help') return { help: err.exitCode === 0 ? 0 : 2 };
    throw usageError(err, reached);
  }
  if (!parsed) throw new UsageError(commandPath(root), 'nothing to do');
  return parsed;
}
