// One Linux network namespace per validator, so a partition is a real network fault (packets to and
// from the node are dropped by the kernel; TCP connections hang and time out) rather than a filter
// inside the node. Topology, for run slot X (10.X.0.0/16 is free on the host):
//
//   host:      bridge tlcbX (no address)                    ctl links, one per node
//                 |  tlcXp<i> (bridge port)                    tlcXc<i> 10.X.(100+i).1/24
//   ns tlchaos-X-<i>:  p2p0 10.X.0.(10+i)/24  (p2p listens here)  ctl0 10.X.(100+i).2/24 (RPC)
//
// The validators reach each other only through the bridge; the host (load, observers) reaches each
// RPC through that node's own control link, which stays up during a partition. Namespaces have no
// default route and the host does not forward, so the control links never carry p2p traffic.
// Isolating node i = setting its bridge port down (one link set); healing = setting it up again.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const STATE_DIR = "/tmp/tradeledger-chaos-netns";
const SLOTS = { first: 200, last: 250 };

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function tryIp(...args: string[]): boolean {
  try {
    ip(...args);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Why namespaces cannot be used here, or undefined if they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not running as root";
  try {
    ip("-V");
  } catch {
    return "the ip command (Debian package iproute2) is missing";
  }
  const probe = `tlchaos-probe-${process.pid}`;
  if (!tryIp("netns", "add", probe)) return "ip netns add failed (no CAP_SYS_ADMIN, or no network namespace support)";
  tryIp("netns", "del", probe);
  return undefined;
}

export class NetnsTopology {
  private readonly partitioned = new Set<number>();
  private removed = false;

  private constructor(
    readonly slot: number,
    readonly size: number,
  ) {}

  /** Builds the topology for `size` nodes in a free slot; removes leftovers of dead runs first. */
  static create(size: number): NetnsTopology {
    NetnsTopology.reapStale();
    mkdirSync(STATE_DIR, { recursive: true });
    for (let slot = SLOTS.first; slot <= SLOTS.last; slot++) {
      if (existsSync(join(STATE_DIR, `${slot}.json`))) continue;
      if (hostUsesNet(slot)) continue;
      // Creating the bridge is the atomic claim of the slot (a concurrent run gets EEXIST).
      if (!tryIp("link", "add", `tlcb${slot}`, "type", "bridge")) continue;
      writeFileSync(join(STATE_DIR, `${slot}.json`), JSON.stringify({ pid: process.pid, size }));
      const topo = new NetnsTopology(slot, size);
      try {
        topo.build();
      } catch (err) {
        topo.remove();
        throw err;
      }
      return topo;
    }
    throw new Error(`no free network slot in 10.${SLOTS.first}-${SLOTS.last}.0.0/16`);
  }

  /** Removes namespaces, links and bridges left by campaigns whose process is gone. */
  static reapStale(): void {
    if (!existsSync(STATE_DIR)) return;
    for (const f of readdirSync(STATE_DIR)) {
      const m = /^(\d+)\.json$/.exec(f);
      if (!m) continue;
      let state: { pid: number; size: number };
      try {
        state = JSON.parse(readFileSync(join(STATE_DIR, f), "utf8")) as { pid: number; size: number };
      } catch {
        continue;
      }
      if (alive(state.pid)) continue;
      new NetnsTopology(Number(m[1]), state.size).remove();
    }
  }

  ns(i: number): string {
    return `tlchaos-${this.slot}-${i}`;
  }

  /** The address node i's p2p listens on (inside its namespace, on the bridge). */
  p2pAddress(i: number): string {
    return `10.${this.slot}.0.${10 + i}`;
  }

  /** The address node i's RPC listens on, reachable from the host over its control link. */
  rpcAddress(i: number): string {
    return `10.${this.slot}.${100 + i}.2`;
  }

  hosts(): { p2p: string; rpc: string }[] {
    return Array.from({ length: this.size }, (_, i) => ({ p2p: this.p2pAddress(i), rpc: this.rpcAddress(i) }));
  }

  /** The command prefix that runs a process inside node i's namespace. */
  launcher(i: number): string[] {
    return ["ip", "netns", "exec", this.ns(i)];
  }

  private build(): void {
    const X = this.slot;
    ip("link", "set", `tlcb${X}`, "up");
    for (let i = 0; i < this.size; i++) {
      const ns = this.ns(i);
      ip("netns", "add", ns);
      ip("-n", ns, "link", "set", "lo", "up");
      // p2p link: the host end is a bridge port
      ip("link", "add", `tlc${X}p${i}`, "type", "veth", "peer", "name", "p2p0", "netns", ns);
      ip("link", "set", `tlc${X}p${i}`, "master", `tlcb${X}`);
      ip("link", "set", `tlc${X}p${i}`, "up");
      ip("-n", ns, "addr", "add", `${this.p2pAddress(i)}/24`, "dev", "p2p0");
      ip("-n", ns, "link", "set", "p2p0", "up");
      // control link: host <-> this namespace only (RPC)
      ip("link", "add", `tlc${X}c${i}`, "type", "veth", "peer", "name", "ctl0", "netns", ns);
      ip("addr", "add", `10.${X}.${100 + i}.1/24`, "dev", `tlc${X}c${i}`);
      ip("link", "set", `tlc${X}c${i}`, "up");
      ip("-n", ns, "addr", "add", `${this.rpcAddress(i)}/24`, "dev", "ctl0");
      ip("-n", ns, "link", "set", "ctl0", "up");
    }
  }

  /** Cuts node i's link to the other validators (its bridge port goes down). */
  isolate(i: number): void {
    ip("link", "set", `tlc${this.slot}p${i}`, "down");
    this.partitioned.add(i);
  }

  heal(i: number): void {
    ip("link", "set", `tlc${this.slot}p${i}`, "up");
    this.partitioned.delete(i);
  }

  isIsolated(i: number): boolean {
    return this.partitioned.has(i);
  }

  /** Deletes every namespace (their veth ends go with them, and so the host ends) and the bridge. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    for (let i = 0; i < this.size; i++) {
      tryIp("netns", "del", this.ns(i));
      tryIp("link", "del", `tlc${this.slot}p${i}`);
      tryIp("link", "del", `tlc${this.slot}c${i}`);
    }
    tryIp("link", "del", `tlcb${this.slot}`);
    rmSync(join(STATE_DIR, `${this.slot}.json`), { force: true });
  }
}

/** True if the host already has an address in 10.slot.0.0/16 (we must not shadow its routes). */
function hostUsesNet(slot: number): boolean {
  try {
    return ip("-o", "-4", "addr", "show").split("\n").some((l) => l.includes(` 10.${slot}.`));
  } catch {
    return false;
  }
}
