// The lending reads of the RPC (DESIGN.md §10-§11, docs/lending.md): a party's credit indicators and
// the attestations of its financials, and the reports bound to state (aging, concentration). Every
// figure is computed by sdk/lending.ts from the running aggregates in state (node/ledger/aggregates.ts):
// a handful of records, never a scan of history. Reports carry the state records they read with
// their proofs against the head's state root, so sdk verifyReport re-derives them.
//
// Who may read (docs/lending.md "Who reads what"):
//   indicators, financials  the party itself; a BANK the party consented to, until the consent's
//                           expiry day (inclusive, against the head block's UTC day); AUDITOR and
//                           REGULATOR always.
//   reports                 a bank its own book; AUDITOR and REGULATOR every bank's.
import { toHex } from "../sdk/bytes.js";
import { agingJson, assembleBook, concentrationJson, indicatorsJson, indicatorsOf, type StateBindingJson } from "../sdk/lending.js";
import { stateMultiproofToJson, stateProofToJson } from "../sdk/proofs.js";
import { certifiedHeaderToJson } from "../sdk/certified.js";
import { toJsonView } from "../sdk/json.js";
import { decode } from "../sdk/codec.js";
import type { QueryModel } from "../node/api.js";
import { utcDate, type ProvenState } from "../node/query/types.js";
import { isSupervisor } from "./access.js";
import type { Caller } from "./auth.js";
import { forbidden, malformed, notFound } from "./errors.js";

/** Reports and indicators are computed at the head: the state is kept at the head only. */
function checkAsOf(asOf: string | undefined, head: bigint): void {
  if (asOf === undefined) return;
  if (BigInt(asOf) !== head) {
    throw malformed(`asOf=${asOf}: reports and indicators are computed at the head (height ${head}); the node keeps state at its head only, so keep the report you fetch (it carries its proofs)`);
  }
}

export class LendingReads {
  constructor(private readonly query: () => QueryModel) {}

  /** Whether `caller` may read `partyId`'s indicators and financial attestations now. */
  async maySeeCreditFile(caller: Caller, partyId: string): Promise<boolean> {
    if (caller.id === partyId || isSupervisor(caller)) return true;
    if (caller.role !== "BANK") return false;
    const consent = await this.query().getConsent(partyId, caller.id);
    return consent !== undefined && utcDate(this.query().head().time) <= consent.expiryDate;
  }

  private async creditFileOrForbidden(caller: Caller, partyId: string) {
    const party = await this.query().getParty(partyId);
    if (!party) throw notFound(`no party ${partyId}`);
    if (!(await this.maySeeCreditFile(caller, partyId))) {
      throw forbidden(`${caller.id} may not read ${partyId}'s credit file: the party itself, banks it consented to (until the consent expires), auditors and regulators may`);
    }
    return party;
  }

  async indicators(caller: Caller, partyId: string, q: { asOf?: string; waitCertifiedMs?: number }) {
    const party = await this.creditFileOrForbidden(caller, partyId);
    const query = this.query();
    const [proven, rejected, first] = await Promise.all([query.proveStateKeys([`i/${partyId}`]), query.rejectionCount(partyId), query.getHeader(1n)]);
    checkAsOf(q.asOf, proven.height);
    const item = proven.items[0]!;
    const facts = item.value ? decode<import("../sdk/types.js").CreditFacts>("CreditFacts", item.value) : undefined;
    // Genesis parties (registeredAt 0) joined with the network: its first block's time.
    const genesisTimeMs = first?.header.time ?? proven.time;
    const ind = indicatorsOf({ facts, party, timeMs: proven.time, genesisTimeMs, rejectedAttempts: rejected });
    return { ...indicatorsJson(ind), ...(await binding(query, proven, q.waitCertifiedMs)), inputs: proven.items.map((i) => ({ key: i.key, value: i.value ? toHex(i.value) : null, proof: stateProofToJson(i.proof) })) };
  }

  async financials(caller: Caller, partyId: string, q: { cursor?: string; limit?: number }) {
    await this.creditFileOrForbidden(caller, partyId);
    const page = await this.query().financials(partyId, { ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });
    const head = this.query().head();
    return {
      partyId,
      asOf: { height: head.height.toString(), time: head.time.toString() },
      items: page.items.map((rec) => ({
        txHash: rec.tx.hashHex,
        height: rec.height.toString(),
        time: rec.header.time.toString(),
        attestedBy: rec.tx.body.signer,
        statement: toJsonView(rec.tx.body.payload) as Record<string, unknown>,
      })),
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    };
  }

  /** The banks a report covers: the one asked for (the bank itself or a supervisor), or every bank with a book (supervisors). */
  private async reportBanks(caller: Caller, bank: string | undefined): Promise<string[]> {
    if (bank !== undefined) {
      if (caller.id !== bank && !isSupervisor(caller)) throw forbidden(`${caller.id} may not read ${bank}'s book: the bank itself, auditors and regulators may`);
      const p = await this.query().getParty(bank);
      if (!p || p.role !== "BANK") throw notFound(`no bank ${bank}`);
      return [bank];
    }
    if (!isSupervisor(caller)) {
      if (caller.role === "BANK") return [caller.id];
      throw forbidden(`${caller.id} may not read banks' books: banks their own, auditors and regulators every bank's`);
    }
    return this.query().bookBanks();
  }

  async report(kind: "aging" | "concentration", caller: Caller, q: { bank?: string; asOf?: string; waitCertifiedMs?: number }) {
    const banks = await this.reportBanks(caller, q.bank);
    const part = kind === "aging" ? "due" : "parties";
    const proven = await this.query().proveBooks(banks, part);
    checkAsOf(q.asOf, proven.height);
    const records = new Map(proven.items.map((i) => [i.key, i.value ?? null]));
    return {
      kind,
      banks: banks.map((bankId) => {
        const book = assembleBook(bankId, records, part);
        return { bankId, ...(kind === "aging" ? agingJson(book, proven.time) : concentrationJson(book)) };
      }),
      ...(await binding(this.query(), proven, q.waitCertifiedMs)),
      // every record read, proven by one multiproof (sdk/proofs.ts): proofs share their upper tree
      inputs: proven.items.map((i) => ({ key: i.key, value: i.value ? toHex(i.value) : null })),
      multiproof: stateMultiproofToJson(proven.multiproof),
    };
  }
}

/**
 * What binds an answer to the ledger: its block, state root, and the certified header of that block
 * when there is one (after waiting up to `waitMs` for it). The records read and their proofs are the
 * caller's: one single-key proof (indicators) or one multiproof (reports).
 */
async function binding(query: QueryModel, p: { height: bigint; time: bigint; stateRoot: Uint8Array }, waitMs: number | undefined): Promise<StateBindingJson> {
  const certified = p.height === 0n ? undefined : waitMs ? await query.waitCertifiedHeader(p.height, waitMs) : await query.certifiedHeader(p.height);
  return {
    asOf: { height: p.height.toString(), time: p.time.toString() },
    stateRoot: toHex(p.stateRoot),
    ...(certified ? { certified: certifiedHeaderToJson(certified, p.height) } : {}),
  };
}
