// Forming a network from nothing, as CometBFT's collected genesis transactions do: each founding
// organisation's `tradeledger init` writes a public genesis entry (its party, its validator node,
// where peers reach it) signed by both of its keys, and `tradeledger genesis create` collects the
// entries into one genesis. Every organisation can run `genesis create` on the same entries and
// get byte-identical files: parties and validators are sorted by id, the output's key order is
// fixed, and nothing comes from the clock (chain id and genesis time are given).
//
// The signatures prove possession: nobody can put another organisation's public key (party or
// node) into an entry of their own.
import canonicalize from "canonicalize";
import { z } from "zod";
import { fromHex, toHex } from "../sdk/bytes.js";
import { nodeCrypto } from "../node/crypto.js";
import { peerIdFromNodePublicKey } from "../p2p/identity.js";
import { ConfigError, parseWith, readJsonFile } from "./load.js";
import { genesisPartySchema, genesisSchema, validatorSchema, type Genesis } from "./schema.js";

export const GENESIS_ENTRY_FORMAT = "tradeledger-genesis-entry/v1";
const ENTRY_SIGNING_DOMAIN = "tradeledger/genesis-entry/v1\u0000";

const sigHex = z.string().regex(/^[0-9a-f]{128}$/, "expected a 64-byte signature as 128 lower-case hex digits");

export const genesisEntrySchema = z
  .object({
    format: z.literal(GENESIS_ENTRY_FORMAT),
    party: genesisPartySchema,
    validator: validatorSchema.extend({ peerId: z.string().min(1) }).strict().optional(),
    proofs: z
      .object({
        party: sigHex.describe("the party key's signature of the entry"),
        node: sigHex.optional().describe("the node key's signature of the entry (with a validator)"),
      })
      .strict(),
  })
  .strict();

export type GenesisEntry = z.infer<typeof genesisEntrySchema>;
export type UnsignedGenesisEntry = Omit<GenesisEntry, "proofs">;

/** The bytes both keys sign: a domain tag, then the entry without its proofs as RFC 8785 JSON. */
export function genesisEntrySigningBytes(entry: UnsignedGenesisEntry): Uint8Array {
  const body = { format: entry.format, party: entry.party, ...(entry.validator ? { validator: entry.validator } : {}) };
  return new TextEncoder().encode(ENTRY_SIGNING_DOMAIN + canonicalize(body));
}

/** Builds and signs an entry with the party's and (for a validator) the node's signing functions. */
export async function signGenesisEntry(
  entry: UnsignedGenesisEntry,
  signParty: (m: Uint8Array) => Uint8Array | Promise<Uint8Array>,
  signNode?: (m: Uint8Array) => Uint8Array | Promise<Uint8Array>,
): Promise<GenesisEntry> {
  if (entry.validator && !signNode) throw new TypeError("a validator's entry is signed by its node key too");
  const bytes = genesisEntrySigningBytes(entry);
  const proofs = { party: toHex(await signParty(bytes)), ...(entry.validator && signNode ? { node: toHex(await signNode(bytes)) } : {}) };
  return { ...entry, proofs };
}

/** Parses an entry file and checks both proofs; a ConfigError names the file and field. */
export function loadGenesisEntry(file: string): GenesisEntry {
  const entry = parseWith(genesisEntrySchema, readJsonFile(file), file);
  const bytes = genesisEntrySigningBytes(entry);
  const issues: { path: string; message: string }[] = [];
  if (!nodeCrypto.verify(fromHex(entry.party.publicKey), bytes, fromHex(entry.proofs.party))) issues.push({ path: "proofs.party", message: "not a signature of this entry by the party key" });
  if (entry.validator) {
    if (!entry.proofs.node) issues.push({ path: "proofs.node", message: "a validator's entry must be signed by its node key" });
    else if (!nodeCrypto.verify(fromHex(entry.validator.nodePublicKey), bytes, fromHex(entry.proofs.node))) issues.push({ path: "proofs.node", message: "not a signature of this entry by the node key" });
    if (entry.validator.peerId !== peerIdFromNodePublicKey(fromHex(entry.validator.nodePublicKey))) issues.push({ path: "validator.peerId", message: "is not the peer id of validator.nodePublicKey" });
  } else if (entry.proofs.node) issues.push({ path: "proofs.node", message: "an entry without a validator has no node proof" });
  if (issues.length) throw new ConfigError(file, issues);
  return entry;
}

export interface GenesisCreateOptions {
  chainId: string;
  /** ms since the Unix epoch; given, never read from the clock, so every organisation gets the same file */
  genesisTime: number;
  consensus?: Record<string, unknown>;
  ledger?: Record<string, unknown>;
}

export interface GenesisCreateResult {
  genesis: Genesis;
  /** the file's exact text (fixed key order, sorted parties and validators) */
  text: string;
  sha256: string;
  /** facts an operator should see but that do not make the genesis invalid */
  warnings: string[];
}

const sortById = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * Collects entries (`file` names each, for errors) into a genesis. The same party in two entries
 * (an organisation running two validators) must be identical in both; a validator id or node key
 * appears once. The result is checked by the genesis schema (n = 3f + 1, a BANK, unique keys).
 */
export function createGenesis(entries: { file: string; entry: GenesisEntry }[], opts: GenesisCreateOptions): GenesisCreateResult {
  if (entries.length === 0) throw new ConfigError("genesis create", [{ path: "", message: "no genesis entries given" }]);
  const parties = new Map<string, { file: string; json: string; party: GenesisEntry["party"] }>();
  const validators = new Map<string, { file: string; validator: z.infer<typeof validatorSchema>; partyId: string }>();
  for (const { file, entry } of entries) {
    const json = canonicalize(entry.party)!;
    const seen = parties.get(entry.party.id);
    if (seen && seen.json !== json) throw new ConfigError(file, [{ path: "party", message: `party ${entry.party.id} differs from its entry in ${seen.file}` }]);
    if (!seen) parties.set(entry.party.id, { file, json, party: entry.party });
    if (entry.validator) {
      const { peerId: _peerId, ...validator } = entry.validator;
      const other = validators.get(validator.id);
      if (other) throw new ConfigError(file, [{ path: "validator.id", message: `validator ${validator.id} is also in ${other.file}` }]);
      validators.set(validator.id, { file, validator, partyId: entry.party.id });
    }
  }
  const raw = {
    chainId: opts.chainId,
    genesisTime: opts.genesisTime,
    parties: sortById([...parties.values()].map((p) => p.party)),
    validators: sortById([...validators.values()].map((v) => v.validator)),
    ...(opts.consensus ? { consensus: opts.consensus } : {}),
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
  };
  const genesis = parseWith(genesisSchema, raw, "genesis");
  // Written in a fixed key order with the defaults spelled out, so the bytes (and their hash) are the same everywhere.
  const text = JSON.stringify(
    {
      chainId: genesis.chainId,
      genesisTime: genesis.genesisTime,
      parties: genesis.parties.map((p) => ({ id: p.id, role: p.role, name: p.name, country: p.country, publicKey: p.publicKey, ...(p.lei ? { lei: p.lei } : {}) })),
      validators: genesis.validators.map((v) => ({ id: v.id, nodePublicKey: v.nodePublicKey, addresses: v.addresses })),
      consensus: JSON.parse(canonicalize(genesis.consensus)!),
      ledger: JSON.parse(canonicalize(genesis.ledger)!),
    },
    null,
    2,
  ) + "\n";
  const warnings: string[] = [];
  const n = genesis.validators.length;
  const f = Math.floor((n - 1) / 3);
  const perParty = new Map<string, number>();
  for (const v of validators.values()) perParty.set(v.partyId, (perParty.get(v.partyId) ?? 0) + 1);
  for (const [party, count] of perParty) {
    if (count > f) warnings.push(`${party} runs ${count} of ${n} validators, more than f = ${f}: it alone can halt the network (each founding organisation should run at most f)`);
  }
  return { genesis, text, sha256: toHex(nodeCrypto.sha256(new TextEncoder().encode(text))), warnings };
}

/** `--genesis-time`: an ISO 8601 instant or ms since the epoch. */
export function parseGenesisTime(value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new ConfigError("--genesis-time", [{ path: "", message: `expected an ISO 8601 instant (2027-01-04T00:00:00Z) or ms since the epoch, got ${value}` }]);
  return ms;
}
