/** `journalctl --verify` on one file, timed by /usr/bin/time: wall seconds, peak RSS and its verdict. */
import { spawnSync } from 'node:child_process';

export function timeJournalctl(file: string, key: string | undefined): { seconds: number; peakMiB: number; verdict: string } {
  const args = ['-f', '%e %M', 'journalctl', `--file=${file}`, '--verify', ...(key ? [`--verify-key=${key}`] : [])];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const lines = r.stderr.trim().split('\n');
  const timing = (lines.pop() ?? '0 0').split(' ');
  const verdict = lines.find((l) => /^(PASS|FAIL)/.test(l))?.split(':')[0] ?? `exit ${r.status}`;
  return { seconds: Number(timing[0]), peakMiB: Number(timing[1]) / 1024, verdict };
}
