#!/usr/bin/env node
/** The `nerva` command: one file per subcommand, loaded on demand so start-up stays fast. */
import { NervaError } from '../errors.js';

type Runner = (argv: string[]) => Promise<void>;
const commands: Record<string, { about: string; load: () => Promise<Runner> }> = {
  // Each entry: name → lazy import of src/cli/<name>.ts exporting `run(argv)`.
  filter: { about: 'classic image filters (Sobel, blur, sharpen…) and pooling on a picture', load: async () => (await import('./filter.js')).run },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.about}`);
  return ['usage: nerva <command> [options]', '', 'commands:', ...rows, '', 'nerva <command> --help for its options'].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const command = commands[name];
  if (command === undefined) throw new NervaError(`unknown command '${name}'\n${usage()}`);
  const run = await command.load();
  await run(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Errors we raise on purpose are one line for the user; anything else is a bug and keeps its stack.
  if (err instanceof NervaError) {
    console.error(`nerva: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
