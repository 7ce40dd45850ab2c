// The measured window of a benchmark on the clock V8's CPU profiles use (monotonic µs), written
// beside the profiles so scripts/cpu-profile-top.ts counts only the samples inside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROFILE_WINDOW_FILE = 'window.json';

/** Now on the profiles' clock. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The window from `startUs` to now, into the profiles' directory `dir`. */
export function writeProfileWindow(dir: string, startUs: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PROFILE_WINDOW_FILE), JSON.stringify({ startUs, endUs: profileClockUs() }));
}
