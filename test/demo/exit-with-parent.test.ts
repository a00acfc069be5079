import { spawn } from 'node:child_process';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { isAlive } from './proc';
import { collect, REPO_ROOT, waitForOutput } from '../helpers/processes';

/** Spawns, in its own process group as the demo does with the gateway, a process preloading exit-with-parent. */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', ${JSON.stringify(path.join(REPO_ROOT, 'demo/exit-with-parent.ts'))},
  '-e', "process.on('SIGTERM', () => process.exit(0)); console.log('child ready'); setInterval(() => {}, 1000)"],
  { detached: true, stdio: ['ignore', 'inherit', 'ignore'] });
console.log('child ' + child.pid);
setInterval(() => {}, 1000);
`;

test('a process started with demo/exit-with-parent.ts stops itself when its parent dies without stopping it', async () => {
  const parent = spawn(process.execPath, ['-e', PARENT], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { output } = collect(parent);
  const child = Number((await waitForOutput(() => output().stdout, /child (\d+)/))[1]);
  try {
    // The preload has run once the child's own script prints (loading it can take seconds on a busy machine).
    await waitForOutput(() => output().stdout, /child ready/, 30_000);
    expect(isAlive(child)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(
      async () => isAlive(child),
      (alive) => !alive,
      10_000,
      'the orphaned child to exit',
    );
  } finally {
    parent.kill('SIGKILL');
    if (isAlive(child)) process.kill(child, 'SIGKILL');
  }
});
