// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self and total time per function, top N.
// Usage: npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [N] [filter]

import { readFileSync } from 'node:fs';
import { mainArgs } from '../../proxy/main-module.mjs';

type Frame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export type Entry = { name: string; selfMs: number; totalMs: number };

export function summarizeProfile(profile: Profile): Entry[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const key = (n: Node) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|main)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  const entries = new Map<string, Entry>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    const e0 = key(byId.get(id)!);
    const get = (k: string) => entries.get(k) ?? entries.set(k, { name: k, selfMs: 0, totalMs: 0 }).get(k)!;
    get(e0).selfMs += t;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      get(k).totalMs += t;
    }
  }
  return [...entries.values()];
}

function main(args: string[]): void {
  const profile = JSON.parse(readFileSync(args[0], 'utf8')) as Profile;
  const n = Number(args[1] ?? 30);
  const filter = args[2] ?? '';
  const all = summarizeProfile(profile).filter((e) => e.name.includes(filter));
  const wall = (profile.endTime - profile.startTime) / 1000;
  const fmt = (e: Entry) => `${e.selfMs.toFixed(0).padStart(7)} ${e.totalMs.toFixed(0).padStart(7)}  ${e.name}`;
  process.stdout.write(`profile ${wall.toFixed(0)} ms\n   self   total  (ms)\n-- by self time\n`);
  process.stdout.write(
    all
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, n)
      .map(fmt)
      .join('\n') + '\n-- by total time\n',
  );
  process.stdout.write(
    all
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, n)
      .map(fmt)
      .join('\n') + '\n',
  );
}

const args = mainArgs(import.meta.url);
if (args) main(args);
