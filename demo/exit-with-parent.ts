/*
 * Preloaded into the gateway the demo starts (node -r): the gateway runs in its own process group, so
 * if the demo dies without stopping it (SIGKILL, a crash), nothing else would; when its parent is gone
 * it stops itself as on SIGTERM.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();
