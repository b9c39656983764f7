// Our figures as ratios to a peer's (etcd, PostgreSQL), measured in the same run on the same machine
// with the same load shapes. Every ratio is ours / theirs: a throughput ratio below 1 means we commit
// fewer per second; a latency or CPU ratio above 1 means we take longer or burn more per operation.

export interface ShapeFigures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of all the system's server processes per completed operation, ms */
  cpuMsPerOp: number;
}

export interface SystemFigures {
  system: string;
  /** closed loop (saturation) */
  closed?: ShapeFigures;
  /** open loop, by offered rate (operations per second) */
  open: Record<number, ShapeFigures>;
}

export interface Ratio {
  what: string;
  ours: number;
  theirs: number;
  /** ours / theirs */
  ratio: number;
}

export function ratios(ours: SystemFigures, peer: SystemFigures): Ratio[] {
  const out: Ratio[] = [];
  const add = (what: string, a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return;
    out.push({ what, ours: a, theirs: b, ratio: a / b });
  };
  if (ours.closed && peer.closed) {
    add("throughput/s, closed loop", ours.closed.perSecond, peer.closed.perSecond);
    add("CPU ms/op, closed loop", ours.closed.cpuMsPerOp, peer.closed.cpuMsPerOp);
  }
  const rates = Object.keys(ours.open)
    .map(Number)
    .filter((r) => peer.open[r] !== undefined)
    .sort((a, b) => a - b);
  for (const r of rates) {
    const a = ours.open[r]!;
    const b = peer.open[r]!;
    add(`p50 ms at ${r}/s`, a.p50Ms, b.p50Ms);
    add(`p99 ms at ${r}/s`, a.p99Ms, b.p99Ms);
    add(`CPU ms/op at ${r}/s`, a.cpuMsPerOp, b.cpuMsPerOp);
  }
  return out;
}

const num = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/** One line per peer: `ours/<system>: throughput/s, closed loop 0.18 (831/4500); p50 ms at 300/s 5.60 (56.0/10.0); ...` */
export function ratioLine(ours: SystemFigures, peer: SystemFigures): string {
  const rs = ratios(ours, peer);
  if (rs.length === 0) return `ours/${peer.system}: no shape measured on both`;
  return `ours/${peer.system}: ` + rs.map((r) => `${r.what} ${r.ratio.toFixed(2)} (${num(r.ours)}/${num(r.theirs)})`).join("; ");
}
