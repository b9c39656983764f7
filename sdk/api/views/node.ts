// The JSON views of the node and the chain other than what a receipt or a history carries: probes,
// block headers and blocks, a block's transactions, the event stream's events. Browser-safe.
import * as z from "zod/mini";
import { ALERT_EVENT, EVENT_TYPES, Hex, Hex32, REJECTED_EVENT, ResultCodeSchema, TimeMs, U64, described, named } from "../primitives.js";
import { AlertView, CertificateView, EventView, TxTypeSchema } from "./core.js";

export const HealthView = z.object({ status: z.literal("ok") }).apply(named, "Health");

export const ReadinessView = z
  .object({
    ready: z.boolean(),
    reasons: described(z.array(z.string()), "why the node is not ready; empty when it is"),
    height: U64,
    validatorPeers: described(z.int(), "validators this node is connected to"),
    quorumPeers: described(z.int(), "validator peers it needs: a validator 2f (itself makes 2f+1), an observer f+1"),
  }).apply(named, "Readiness");

export const HeaderView = z
  .object({
    chainId: z.string(),
    height: U64,
    prevHash: Hex32,
    time: TimeMs,
    proposer: z.string(),
    txsRoot: Hex32,
    receiptsRoot: Hex32,
    stateRoot: Hex32,
    txCount: z.int().check(z.gte(0)),
    view: U64,
  }).apply(named, "BlockHeader");

export const BlockView = z
  .object({ height: U64, hash: Hex32, header: HeaderView, headerBytes: Hex, certificate: z.nullable(CertificateView) }).apply(named, "Block");

export const BlockTxView = z
  .object({ index: z.int().check(z.gte(0)), txHash: Hex32, signer: z.string(), type: z.nullable(TxTypeSchema), code: ResultCodeSchema, target: z.string() }).apply(named, "BlockTransaction");

export const LedgerEventView = z
  .object({
    id: described(z.string(), "height:txIndex:eventIndex (eventIndex 'r' for a rejection, 'a<k>' for the transaction's k-th alert): resume with Last-Event-ID"),
    type: z.enum([...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT]),
    height: U64,
    index: z.int(),
    time: TimeMs,
    txHash: Hex32,
    signer: z.string(),
    receivableId: described(z.string(), "the receivable the event concerns, or empty"),
    event: z.optional(EventView),
    rejection: z.optional(z.object({ code: ResultCodeSchema, message: z.string(), target: z.string() })),
    alert: described(z.optional(AlertView), "for alertRaised: what a supervision rule found in the transaction"),
    code: described(z.optional(ResultCodeSchema), "for alertRaised: the transaction's receipt code"),
  }).apply(named, "LedgerEvent");
