// bench:e2e's CPU meter: CPU time of the stack's processes by kind, the relays and this load generator (Linux /proc).
import { readdirSync, readFileSync } from 'node:fs';

export const TICK_MS = 10; // USER_HZ = 100

export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** A process's own CPU time and that of its children that exited (Postgres backends, Deno workers). */
export function cpuOf(pid: number): { name: string; ms: number; exitedChildrenMs: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name, ms: (Number(f[11]) + Number(f[12])) * TICK_MS, exitedChildrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch {
    return null;
  }
}

/** CPU milliseconds so far: the stack's processes by kind (gateway = its Node, functions = Deno, postgres), the baseline server, this load generator. */
export function cpuMeter(stackPid: number, baselinePid: number, sameWorkPid: number) {
  return () => {
    const out: Record<string, number> = { gateway: 0, functions: 0, postgres: 0, baselineServer: 0, sameWorkServer: 0, clients: 0 };
    for (const pid of descendants(stackPid)) {
      const c = cpuOf(pid);
      if (!c) continue;
      // Exited children count for their kind: the stack's are Deno workers, Postgres' are backends.
      if (pid === stackPid) {
        out.gateway! += c.ms;
        out.functions! += c.exitedChildrenMs;
      } else if (c.name.startsWith('deno')) out.functions! += c.ms + c.exitedChildrenMs;
      else if (c.name.startsWith('postgres')) out.postgres! += c.ms + c.exitedChildrenMs;
    }
    out.baselineServer = cpuOf(baselinePid)?.ms ?? 0;
    out.sameWorkServer = cpuOf(sameWorkPid)?.ms ?? 0;
    const self = process.cpuUsage();
    out.clients = (self.user + self.system) / 1000;
    return out;
  };
}
