// Who the client is, for budgets and connection caps (docs/security.md §5, §6). The direct peer's
// address, unless that peer is one of the operator's trusted proxies (`rpc.trustProxy`): then
// X-Forwarded-For is read from the right, skipping trusted proxies, and the first address that is
// not one of them is the client. Entries to its left were written by the client itself and are
// never believed. Matching of addresses and CIDR blocks is node:net's BlockList (no dependency).
import { BlockList, isIP } from "node:net";

/** "::ffff:10.0.0.1" -> "10.0.0.1"; anything else as given. */
export function normalizeAddress(addr: string): string {
  const m = /^::ffff:([0-9.]+)$/i.exec(addr);
  return m && isIP(m[1]!) === 4 ? m[1]! : addr;
}

/** One X-Forwarded-For entry as an address: ports ("1.2.3.4:5", "[::1]:5") and brackets dropped; "" if none. */
function forwardedAddress(entry: string): string {
  const v = entry.trim();
  if (isIP(v)) return normalizeAddress(v);
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::[0-9]{1,5})?$/.exec(v);
  if (bracketed && isIP(bracketed[1]!) === 6) return normalizeAddress(bracketed[1]!);
  const withPort = /^([0-9.]+):[0-9]{1,5}$/.exec(v);
  if (withPort && isIP(withPort[1]!) === 4) return withPort[1]!;
  return "";
}

/**
 * The budget key of an address: an IPv4 address itself, an IPv6 address's /64 (one host commonly
 * holds a whole /64, so per-address limits on single IPv6 addresses would limit nothing).
 */
export function addressKey(addr: string): string {
  const a = normalizeAddress(addr);
  if (isIP(a) !== 6) return a;
  const [head = "", tail = ""] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = a.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g.includes(".") ? g : parseInt(g || "0", 16).toString(16)))
    .join(":")}::/64`;
}

export class ProxyTrust {
  private readonly list = new BlockList();
  readonly enabled: boolean;

  constructor(entries: readonly string[] = []) {
    for (const e of entries) {
      const [addr = "", bits] = e.split("/");
      const family = isIP(addr);
      if (family === 0) throw new RangeError(`trustProxy: ${JSON.stringify(e)} is not an address or CIDR block`);
      const type = family === 4 ? "ipv4" : "ipv6";
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
    this.enabled = entries.length > 0;
  }

  trusts(addr: string): boolean {
    if (!this.enabled) return false;
    const a = normalizeAddress(addr);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 4 ? "ipv4" : "ipv6");
  }

  /** The client's address for a request from `peer` carrying `forwardedFor` (the header, comma-joined). */
  clientOf(peer: string, forwardedFor: string | string[] | undefined): string {
    let client = normalizeAddress(peer);
    if (!this.trusts(client) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",");
    // At most 32 hops are examined: a longer chain is the client's own invention.
    for (let i = hops.length - 1; i >= 0 && i >= hops.length - 32; i--) {
      const addr = forwardedAddress(hops[i]!);
      if (!addr) return client; // garbage: the last trusted hop is all that is known
      client = addr;
      if (!this.trusts(addr)) return client;
    }
    return client;
  }
}
