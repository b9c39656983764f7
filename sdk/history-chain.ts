// Complete histories: every object with a history (a receivable; a warrant piece, warrant or credit
// line; a title or lot) has a state record h/<kind>/<id> holding how many entries its history has
// and a hash chain over their positions, rejected attempts included. The state root commits to it,
// so with a certified header (sdk/certified.ts) a client proves that a history it was served is
// complete up to that height, and, from the chain values the node serves with each entry, where an
// entry is missing. Browser-safe and pure.
//
//   head_0     = 32 zero bytes
//   head_{n+1} = SHA-256(HISTORY_CHAIN_DOMAIN || head_n || u64be(height) || u32be(txIndex) || u16be(eventIndex))
//
// eventIndex is the event's index in its receipt, or 0xffff for a rejected attempt. A position names
// one event (or one attempt) of one certified block, and each served entry is proven at its
// position separately, so chaining positions is enough: the count and head prove the set.
import { equalBytes, fromHex, isHex, toHex, utf8 } from "./bytes.js";
import { ByteWriter } from "./commit.js";
import { decode, encode } from "./codec.js";
import { PARTY_ID_RE } from "./checks.js";
import type { Hash } from "./merkle.js";
import { formatOf, RECEIVABLE_ID_RE, receivableIdsNamed, type TargetKind, type TxPayload } from "./transactions/index.js";
import type { Event, ResultCode } from "./types.js";

export const HISTORY_CHAIN_DOMAIN = utf8("tradeledger/history/v1\u0000");
/** The event index of a rejected attempt in a history. */
export const REJECTED_ATTEMPT = 0xffff;
export const EMPTY_HISTORY_HEAD = new Uint8Array(32);

export type HistoryKind = "receivable" | "piece" | "warrant" | "line" | "title" | "lot";
/** Every kind of object with a history, receivables first. */
export const HISTORY_KINDS: readonly HistoryKind[] = ["receivable", "piece", "warrant", "line", "title", "lot"];

/**
 * The objects other than receivables that have a history of their own: warrant pieces, warrants and
 * credit lines (DESIGN.md §7), title documents and lots of goods (§8).
 */
export type ObjectKind = Exclude<HistoryKind, "receivable">;

const KIND_OF_TARGET: Partial<Record<TargetKind, ObjectKind>> = { piece: "piece", warrant: "warrant", creditLine: "line", title: "title", lot: "lot" };

/** Whether `id` is well-formed for its kind: pieces, warrants and titles are 64 hex digits (tx hashes), lines and lots party-id-like. */
export function isObjectId(kind: ObjectKind, id: unknown): id is string {
  return typeof id === "string" && (kind === "line" || kind === "lot" ? PARTY_ID_RE.test(id) : RECEIVABLE_ID_RE.test(id));
}

/**
 * The pieces, warrants, credit lines, titles and lots a transaction aims at, from its payload and
 * receipt target alone (not its events): the receipt target under the kind its format targets, and
 * the `pieceId` / `lineId` / `titleId` / `lotId` its payload names. What the history indexes file a
 * rejected attempt under, and part of what the RPC shows to whom. Payload ids are caller-chosen:
 * only well-formed ids are returned.
 */
export function objectsNamed(payload: TxPayload | undefined, target: string): { kind: ObjectKind; id: string }[] {
  const out = new Map<string, { kind: ObjectKind; id: string }>();
  const add = (kind: ObjectKind, id: unknown) => {
    if (isObjectId(kind, id)) out.set(`${kind}/${id}`, { kind, id });
  };
  const targetKind = KIND_OF_TARGET[formatOf(payload?.type)?.targets as TargetKind];
  if (targetKind) add(targetKind, target);
  if (payload && typeof payload === "object") {
    const fields = payload as unknown as Record<string, unknown>;
    add("piece", fields["pieceId"]);
    add("line", fields["lineId"]);
    add("title", fields["titleId"]);
    add("lot", fields["lotId"]);
  }
  return [...out.values()];
}

/** The objects an event names (its pieceId, warrantId, lineId, titleId, lotId): the histories it belongs to. */
export function objectsOfEvent(e: Event): { kind: ObjectKind; id: string }[] {
  const out: { kind: ObjectKind; id: string }[] = [];
  const fields = e as unknown as Record<string, unknown>;
  for (const [field, kind] of EVENT_OBJECT_FIELDS) if (isObjectId(kind, fields[field])) out.push({ kind, id: fields[field] as string });
  return out;
}

const EVENT_OBJECT_FIELDS: readonly (readonly [string, ObjectKind])[] = [
  ["pieceId", "piece"],
  ["warrantId", "warrant"],
  ["lineId", "line"],
  ["titleId", "title"],
  ["lotId", "lot"],
];

/** One entry a transaction adds to one object's history: an event naming it, or a rejected attempt aimed at it. */
export interface HistoryMembership {
  kind: HistoryKind;
  id: string;
  /** the event's index in the receipt, or REJECTED_ATTEMPT */
  event: number;
}

/**
 * The history entries one transaction adds, in chain order (event index): the one rule for which
 * object's history an event or a rejected attempt belongs to. The node's history indexes and the
 * history chains in the state are built from it (node/store/indexes.ts historyEntriesOfBlock), and
 * the verifiers check with it that an entry served in a history concerns that object.
 *   receivable: an event's receivableId; a rejected transaction's targets (receivableIdsNamed)
 *   piece / warrant / line: an event's pieceId / warrantId / lineId; a rejected transaction's objectsNamed
 *   title / lot: objectsOfEvent; a rejected transaction's objectsNamed
 * Consensus-relevant (the chains are in the state root): change it only with a new chain version.
 */
export function historyEntriesOfTx(payload: TxPayload | undefined, receipt: { code: ResultCode; target: string; events: readonly Event[] }): HistoryMembership[] {
  const out: HistoryMembership[] = [];
  const seen = new Set<string>();
  const add = (kind: HistoryKind, id: string, event: number) => {
    const k = `${kind}/${id}/${event}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ kind, id, event });
  };
  if (receipt.code === "OK") {
    for (let e = 0; e < receipt.events.length; e++) {
      const ev = receipt.events[e]!;
      if ("receivableId" in ev && ev.receivableId) add("receivable", ev.receivableId, e);
      if ("pieceId" in ev && ev.pieceId) add("piece", ev.pieceId, e);
      if ("warrantId" in ev && ev.warrantId) add("warrant", ev.warrantId, e);
      if ("lineId" in ev && ev.lineId) add("line", ev.lineId, e);
      for (const o of objectsOfEvent(ev)) if (o.kind === "title" || o.kind === "lot") add(o.kind, o.id, e);
    }
  } else {
    for (const id of receivableIdsNamed(payload, receipt.target)) add("receivable", id, REJECTED_ATTEMPT);
    for (const { kind, id } of objectsNamed(payload, receipt.target)) add(kind, id, REJECTED_ATTEMPT);
  }
  return out;
}

const PREFIX: { readonly [K in HistoryKind]: string } = { receivable: "r", piece: "q", warrant: "w", line: "l", title: "t", lot: "o" };

/** The state key of an object's history chain (node/chain/chain.ts writes it). */
export function historyChainKey(kind: HistoryKind, id: string): string {
  return `h/${PREFIX[kind]}/${id}`;
}

export interface HistoryChain {
  count: bigint;
  /** 32 bytes */
  head: Uint8Array;
}

export interface HistoryPosition {
  height: bigint;
  index: number;
  /** REJECTED_ATTEMPT for a rejected attempt */
  event: number;
}

export function nextHistoryHead(hash: Hash, head: Uint8Array, p: HistoryPosition): Uint8Array {
  return hash(new ByteWriter(HISTORY_CHAIN_DOMAIN.length + 32 + 8 + 4 + 2).bytes(HISTORY_CHAIN_DOMAIN).bytes(head).u64(p.height).u32(p.index).bytes(Uint8Array.of(p.event >>> 8, p.event & 0xff)).finish());
}

export function encodeHistoryChain(c: HistoryChain): Uint8Array {
  return encode("HistoryChain", c);
}

/** Decodes a record (null: the object has no history yet). Throws on malformed bytes. */
export function decodeHistoryChain(bytes: Uint8Array | null | undefined): HistoryChain {
  if (!bytes) return { count: 0n, head: EMPTY_HISTORY_HEAD };
  const c = decode<HistoryChain>("HistoryChain", bytes);
  if (c.head.length !== 32) throw new TypeError("a history chain head is 32 bytes");
  return c;
}

/** A served entry: its position, and the node's hints (its ordinal in the history, the chain head after it). */
export interface ServedHistoryEntry extends HistoryPosition {
  ordinal?: number | undefined;
  chainHead?: string | undefined;
}

export type CompletenessCheck =
  | { complete: true; count: bigint }
  | {
      complete: false;
      /** entries the certified chain counts that were not served (negative: more were served) */
      missing: bigint;
      /** where they are, from the node's hints (best effort: the verdict itself does not rest on hints) */
      gaps: { after?: number; before?: number; ordinals: [number, number]; afterHeight?: bigint; beforeHeight?: bigint }[];
      message: string;
    };

/**
 * Checks that `entries` (in chain order, only those at or below the proven height) are exactly the
 * history the certified chain record counts. On a mismatch, locates gaps with the served hints:
 * an entry whose hinted head does not follow from the previous hinted head and its own position
 * has entries missing just before it (its ordinal says how many).
 */
export function checkHistoryComplete(hash: Hash, entries: readonly ServedHistoryEntry[], proven: HistoryChain): CompletenessCheck {
  let head: Uint8Array = EMPTY_HISTORY_HEAD;
  for (const e of entries) head = nextHistoryHead(hash, head, e);
  if (BigInt(entries.length) === proven.count && equalBytes(head, proven.head)) return { complete: true, count: proven.count };
  const gaps: Extract<CompletenessCheck, { complete: false }>["gaps"] = [];
  let prevHead: Uint8Array = EMPTY_HISTORY_HEAD;
  let prevOrdinal = -1;
  for (const [k, e] of entries.entries()) {
    if (!isHex(e.chainHead, 32) || !Number.isInteger(e.ordinal)) break;
    const expected = toHex(nextHistoryHead(hash, prevHead, e));
    if (expected !== e.chainHead && e.ordinal! > prevOrdinal + 1) {
      gaps.push({
        ...(k > 0 ? { after: k - 1, afterHeight: entries[k - 1]!.height } : {}),
        before: k,
        beforeHeight: e.height,
        ordinals: [prevOrdinal + 1, e.ordinal! - 1],
      });
    }
    prevHead = fromHex(e.chainHead);
    prevOrdinal = e.ordinal!;
  }
  const last = entries.length - 1;
  if (BigInt(prevOrdinal + 1) < proven.count && entries.every((e) => isHex(e.chainHead, 32))) {
    gaps.push({ ...(last >= 0 ? { after: last, afterHeight: entries[last]!.height } : {}), ordinals: [prevOrdinal + 1, Number(proven.count) - 1] });
  }
  const missing = proven.count - BigInt(entries.length);
  const where = gaps.map((g) => {
    const n = g.ordinals[0] === g.ordinals[1] ? `entry #${g.ordinals[0]}` : `entries #${g.ordinals[0]}-#${g.ordinals[1]}`;
    if (g.before === undefined) return `${n} after the last entry served`;
    const to = `before entry ${g.before} (height ${g.beforeHeight})`;
    return g.after === undefined ? `${n} ${to}` : `${n} after entry ${g.after} (height ${g.afterHeight}), ${to}`;
  });
  const message =
    `the certified history has ${proven.count} entries, ${entries.length} were served` +
    (missing > 0n ? `: ${missing} missing` : missing < 0n ? "" : ", and they differ") +
    (where.length ? ` (${where.join("; ")})` : "");
  return { complete: false, missing, gaps, message };
}

