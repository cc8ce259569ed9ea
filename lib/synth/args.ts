import { parseArgs, ParseArgsConfig } from "util";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** Parsed values of single-valued options: strings for `type: "string"`, booleans otherwise. */
export type CommandLineValues<O extends Options> = { [K in keyof O]?: O[K]["type"] extends "string" ? string : boolean };

/**
 * Parses a command line strictly, with `--help` / `-h` added. Returns the values, or the exit code
 * when there is nothing to run: 0 after printing the usage for --help, 2 (with the usage on stderr)
 * for arguments it does not know.
 */
export function parseCommandLine<const O extends Options>(argv: string[], options: O, usage: string): CommandLineValues<O> | number {
  let values: CommandLineValues<O> & { help?: boolean };
  try {
    values = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true }).values as CommandLineValues<O>;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  return values;
}
