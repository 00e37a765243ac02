import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from './peer-binaries.js';

export interface ScanResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs one sipvicious scanner (Debian package sipvicious: svmap, svwar) as a LAN attacker
 * would, from its own loopback address (-b), bounded in time. Its session files go to a
 * throwaway HOME.
 */
export async function runSipvicious(tool: 'svmap' | 'svwar', args: string[], timeoutMs = 60_000): Promise<ScanResult> {
  const home = await mkdtemp(join(tmpdir(), 'linedesk-sipvicious-'));
  try {
    return await new Promise<ScanResult>((resolve, reject) => {
      execFile(binaryPath('timeout'), ['-k', '2', `${Math.ceil(timeoutMs / 1000)}s`, binaryPath(tool), ...args], { env: { ...process.env, HOME: home }, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
        // A scanner that found nothing may exit non-zero; only a timeout is a failure here.
        if (error && (error as { code?: unknown }).code === 124) reject(new Error(`${tool} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      });
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
