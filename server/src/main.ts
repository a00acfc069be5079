import closeWithGrace from 'close-with-grace';
import { loadConfig } from './config';
import { createServer } from './server';

/** Reads config, migrates, serves, and closes cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { app, ctx } = await createServer(config);
  closeWithGrace({ delay: 15_000 + config.SHUTDOWN_DRAIN_MS, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    ctx.readiness.beginShutdown();
    // Load balancers see /ready fail and stop sending before the listener closes.
    if (!err && config.SHUTDOWN_DRAIN_MS > 0) await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_MS));
    await app.close();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: Error) => {
  process.stderr.write(`Failed to start: ${error.message}\n`);
  process.exit(1);
});
