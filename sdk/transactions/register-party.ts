// registerParty: a BANK onboards an ENTERPRISE or a CUSTODIAN after KYC (DESIGN.md §2, Parties;
// Part II). The genesis parties are checked with the same format.
import { ROLES, type Role } from "../types.js";
import { isStrongPublicKey } from "../crypto.js";
import { bytesOf, COUNTRY_RE, firstIssue, LEI_RE, LIMITS, matches, partyId, PUBLIC_KEY_BYTES, text, toBytes, type BytesInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface RegisterParty {
  id: string;
  role: Role;
  name: string;
  country: string;
  publicKey: Uint8Array;
  lei: string;
}
export type RegisterPartyPayload = { type: "registerParty" } & RegisterParty;

export interface RegisterPartyInput {
  id: string;
  role: Role;
  name: string;
  country: string;
  publicKey: BytesInput;
  lei?: string;
}

export const registerPartyTx: TxFormat<RegisterPartyPayload, RegisterPartyInput> = {
  type: "registerParty",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      id: partyId,
      role: (v) => (ROLES.includes(v as never) ? undefined : `must be one of ${ROLES.join(", ")}`),
      name: text(1, LIMITS.partyNameChars),
      country: matches(COUNTRY_RE, "an ISO 3166-1 alpha-2 code like DE"),
      // A small-order or non-canonical key would verify forged signatures (docs/hashing.md §7).
      publicKey: (v) => bytesOf(PUBLIC_KEY_BYTES)(v) ?? (isStrongPublicKey(v as Uint8Array) ? undefined : "must be a usable ed25519 public key (not of small order, canonically encoded)"),
      lei: (v) => (v === "" ? undefined : matches(LEI_RE, "empty or a 20-character LEI")(v)),
    }),
  build: (input) => ({
    type: "registerParty",
    id: input.id,
    role: input.role,
    name: input.name,
    country: input.country,
    publicKey: toBytes("publicKey", input.publicKey),
    lei: input.lei ?? "",
  }),
  targets: "party",
  target: (p) => p.id,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    partyRegistered: (e, p) => want(e.partyId === p.id && e.role === p.role, "party id or role differs from the transaction"),
  },
};
