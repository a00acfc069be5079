import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name: state, parent pid, … (undefined when gone). */
function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/** Running, that is: neither gone nor a zombie (an orphan may be re-parented to a subreaper that never reaps it). */
export const isAlive = (pid: number): boolean => {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
};

/** Pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && statFields(name)?.[1] === String(pid))
    .map(Number);
}
