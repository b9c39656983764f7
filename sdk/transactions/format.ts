// What the SDK and the node both know about a transaction type, from its payload alone: its format
// check, how a builder makes it, its receipt target, and the objects it names. One value of this
// interface per type, in that type's own file beside this one (docs/architecture.md, "Adding a
// transaction type"); the ledger's rule for the type (node/ledger/tx/) refers to it, so client and
// node can never disagree about what is well-formed or whom a transaction concerns. The payload's
// JSON view is not here but in <type>.view.ts beside it, which only sdk/api imports. Browser-safe.
import type { PayloadIssue } from "../checks.js";
import type { Event, EventType } from "../types.js";

/** What the receipt target of a transaction names. */
export type TargetKind = "party" | "receivable" | "document" | "creditLine" | "warrant" | "piece" | "lot" | "title" | "rule" | "observer" | "proposal";

/** Checks an event against the signed transaction that emitted it: what disagrees, or null. */
export type EventCheck<P, E extends Event> = (event: E, payload: P, tx: { hashHex: string; signer: string }) => string | null;

export interface TxFormat<P extends { type: string } = { type: string }, I = unknown> {
  readonly type: P["type"];
  /** The first format problem of the payload, or undefined (the ledger's MALFORMED, field named). */
  check(payload: P): PayloadIssue | undefined;
  /** A payload from friendly input (amounts as decimal strings, bytes as hex); `tx.<type>` checks it. */
  build(input: I): P;
  /** What the receipt target names, and its value from the payload (rejections may refine it). */
  readonly targets: TargetKind;
  target(payload: P, txHashHex: string): string;
  /** Receivable ids the payload names (history of rejected attempts, visibility). Caller-chosen: filtered by the user. */
  receivablesNamed(payload: P): readonly string[];
  /** Document hashes and invoice fingerprints the payload carries (the document and fingerprint indexes). */
  carries(payload: P): { documents: readonly Uint8Array[]; fingerprints: readonly Uint8Array[] };
  /** The events this type emits, each with the check of its fields against the transaction (sdk/verify.ts). */
  readonly events: { readonly [K in EventType]?: EventCheck<P, Extract<Event, { type: K }>> };
}

/** The payload type of a format. */
export type PayloadOfFormat<F> = F extends TxFormat<infer P, unknown> ? P : never;
/** The builder input type of a format. */
export type InputOfFormat<F> = F extends TxFormat<{ type: string }, infer I> ? I : never;

export const NOTHING_CARRIED = { documents: [], fingerprints: [] } as const;

/** `want(cond, what)`: null when the condition holds, else the description of what differs. */
export const want = (cond: boolean, what: string): string | null => (cond ? null : what);
