import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A peer process started as the leader of its own process group, so the peer and everything
 * it forks (Kamailio's workers, the command under `timeout`) can be signalled together.
 */
export interface ProcessGroup {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<GroupExit>;
  hasExited(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM to the group, then SIGKILL after `graceMs` if it has not exited. */
  stop(graceMs: number): Promise<GroupExit>;
}

// Groups still running. If the test process ends without stopping them (a crash, a forgotten
// stop()), they are killed on the way out.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ProcessGroup {
  installExitHook();
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  liveGroups.add(pid);
  let done = false;
  const exited = new Promise<GroupExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      // workers the leader left behind must not outlive it
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      resolve({ code, signal });
    };
    child.once('exit', finish);
    // e.g. the command vanished between the PATH lookup and the spawn: report it as exit 127
    child.once('error', () => finish(127, null));
  });
  return {
    pid,
    child,
    exited,
    hasExited: () => done,
    signal: (signal) => {
      if (!done) signalGroup(pid, signal);
    },
    stop: async (graceMs) => {
      if (done) return exited;
      child.ref();
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
