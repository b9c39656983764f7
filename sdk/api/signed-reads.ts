// How a read request is signed (docs/security.md): the bytes a party signs and the x-tl-* headers
// that carry the signature. The node checks them in rpc/auth.ts. Browser-safe.
import { concatBytes, toHex, u32be, u64be, utf8 } from "../bytes.js";

export const AUTH_HEADERS = {
  party: "x-tl-party",
  time: "x-tl-time",
  nonce: "x-tl-nonce",
  signature: "x-tl-signature",
} as const;

/** Domain tag of a signed read: never a valid transaction or consensus signing string. */
export const READ_SIGNING_DOMAIN = utf8("tradeledger/rpc-read/v1\u0000");
/** A signed request is accepted within this distance of the node's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 60_000;
export const REQUEST_NONCE_BYTES = 16;

export interface ReadSigningInput {
  chainId: string;
  partyId: string;
  /** the client's clock, ms */
  time: bigint;
  nonce: Uint8Array;
  /** upper-case HTTP method */
  method: string;
  /** the request target exactly as sent: path and query string (`/v1/receivables?exporter=x`) */
  target: string;
}

function lengthPrefixed(text: string): Uint8Array {
  const b = utf8(text);
  return concatBytes(u32be(b.length), b);
}

/**
 * The bytes a party signs to authenticate a read: READ_SIGNING_DOMAIN || lp(chainId) ||
 * lp(partyId) || u64be(time) || nonce(16) || lp(METHOD) || lp(target), lp = u32be length || UTF-8.
 * Binding the chain, the party, the method and the full target means a signature opens one
 * request on one chain, nothing else; the nonce makes it single-use (the node refuses a replay).
 */
export function readSigningBytes(input: ReadSigningInput): Uint8Array {
  if (!(input.nonce instanceof Uint8Array) || input.nonce.length !== REQUEST_NONCE_BYTES) throw new TypeError(`a request nonce is ${REQUEST_NONCE_BYTES} bytes`);
  return concatBytes(
    READ_SIGNING_DOMAIN,
    lengthPrefixed(input.chainId),
    lengthPrefixed(input.partyId),
    u64be(input.time),
    input.nonce,
    lengthPrefixed(input.method.toUpperCase()),
    lengthPrefixed(input.target),
  );
}

/** The x-tl-* headers of a signed read (the signer may be remote: an HSM, a KMS). */
export async function signedReadHeaders(signer: { partyId: string; sign(message: Uint8Array): Promise<Uint8Array> }, input: Omit<ReadSigningInput, "partyId">): Promise<Record<string, string>> {
  const signature = await signer.sign(readSigningBytes({ ...input, partyId: signer.partyId }));
  return {
    [AUTH_HEADERS.party]: signer.partyId,
    [AUTH_HEADERS.time]: input.time.toString(),
    [AUTH_HEADERS.nonce]: toHex(input.nonce),
    [AUTH_HEADERS.signature]: toHex(signature),
  };
}
