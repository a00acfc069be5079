import { runCli } from './cli/run';

// A reader that goes away (`| head`) ends the output, not with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
