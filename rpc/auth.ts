// Authentication of signed reads (docs/security.md): the x-tl-party, x-tl-time, x-tl-nonce and
// x-tl-signature headers carry an ed25519 signature by a registered party over readSigningBytes
// (sdk/api/signed-reads.ts): chain, party, time, nonce, method and the exact request target. Checked in order:
// headers well formed, time within ±60 s of the node's clock, party registered, signature valid,
// nonce not used before by this party (replays are refused, not merely tolerated).
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, REQUEST_NONCE_BYTES, readSigningBytes } from "../sdk/api/signed-reads.js";
import { fromHex, utf8 } from "../sdk/bytes.js";
import { nobleCrypto, sha256 } from "../sdk/crypto.js";
import type { Party, Role } from "../sdk/types.js";
import { PARTY_ID_RE } from "../sdk/validate.js";
import { ApiError, unauthenticated } from "./errors.js";

export interface Caller {
  id: string;
  role: Role;
}

export interface ReadAuthOptions {
  chainId: string;
  getParty(id: string): Promise<Party | undefined>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  clock?: () => number;
  maxSkewMs?: number;
  /** nonces remembered per generation (60 s); beyond it signed reads are refused as rate limited */
  maxNoncesPerGeneration?: number;
}

type Headers = Record<string, string | string[] | undefined>;

const TIME_RE = /^(?:0|[1-9][0-9]{0,15})$/;
const NONCE_RE = new RegExp(`^[0-9a-f]{${2 * REQUEST_NONCE_BYTES}}$`);
const SIGNATURE_RE = /^[0-9a-f]{128}$/;

/**
 * Remembers (party, nonce) pairs for as long as a request carrying them could still be accepted.
 * A request time is accepted within ±skew of now, so a nonce must be kept until now > time + skew,
 * at most 2 x skew after it was first seen: three generations of `skew` ms each cover that.
 */
/** A valid ed25519 public key nobody holds the seed of (SHA-256 of a tag, as a seed): verifies nothing. */
const NOBODY_KEY = nobleCrypto.publicKeyFromSeed(sha256(utf8("tradeledger/nobody/v1")));

class NonceCache {
  private generations: Set<string>[] = [new Set(), new Set(), new Set()];
  private rotatedAt: number;

  constructor(
    private readonly periodMs: number,
    private readonly maxPerGeneration: number,
    now: number,
  ) {
    this.rotatedAt = now;
  }

  private rotate(now: number): void {
    while (now - this.rotatedAt >= this.periodMs) {
      this.generations = [new Set(), this.generations[0]!, this.generations[1]!];
      this.rotatedAt += this.periodMs;
      if (now - this.rotatedAt > 3 * this.periodMs) this.rotatedAt = now; // long idle: skip ahead
    }
  }

  /** "fresh" (recorded now), "replay", or "full" (too many requests in this period). */
  record(key: string, now: number): "fresh" | "replay" | "full" {
    this.rotate(now);
    if (this.generations.some((g) => g.has(key))) return "replay";
    const current = this.generations[0]!;
    if (current.size >= this.maxPerGeneration) return "full";
    current.add(key);
    return "fresh";
  }
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? undefined : v; // a repeated auth header is malformed
}

export class ReadAuthenticator {
  private readonly clock: () => number;
  private readonly skew: number;
  private readonly nonces: NonceCache;

  constructor(private readonly opts: ReadAuthOptions) {
    this.clock = opts.clock ?? Date.now;
    this.skew = opts.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
    this.nonces = new NonceCache(this.skew, opts.maxNoncesPerGeneration ?? 1_000_000, this.clock());
  }

  /** The authenticated caller, or an ApiError (401, or 429 when the replay cache is full). */
  async authenticate(headers: Headers, method: string, target: string): Promise<Caller> {
    const partyId = header(headers, AUTH_HEADERS.party);
    const time = header(headers, AUTH_HEADERS.time);
    const nonce = header(headers, AUTH_HEADERS.nonce);
    const signature = header(headers, AUTH_HEADERS.signature);
    if (partyId === undefined && time === undefined && signature === undefined) {
      throw unauthenticated(`this route needs a signed request: headers ${Object.values(AUTH_HEADERS).join(", ")} (docs/security.md)`);
    }
    if (partyId === undefined || !PARTY_ID_RE.test(partyId)) throw unauthenticated(`${AUTH_HEADERS.party} must be a party id`);
    if (time === undefined || !TIME_RE.test(time)) throw unauthenticated(`${AUTH_HEADERS.time} must be the client's clock in ms`);
    if (nonce === undefined || !NONCE_RE.test(nonce)) throw unauthenticated(`${AUTH_HEADERS.nonce} must be ${REQUEST_NONCE_BYTES} bytes of lower-case hex`);
    if (signature === undefined || !SIGNATURE_RE.test(signature)) throw unauthenticated(`${AUTH_HEADERS.signature} must be 64 bytes of lower-case hex`);
    const now = this.clock();
    const t = Number(time);
    if (Math.abs(now - t) > this.skew) {
      throw unauthenticated(`request time ${t} is more than ${this.skew / 1000} s from the node's clock ${now}: sign each request just before sending it, and keep clocks in sync`);
    }
    const party = await this.opts.getParty(partyId);
    const message = readSigningBytes({ chainId: this.opts.chainId, partyId, time: BigInt(time), nonce: fromHex(nonce), method, target });
    // An unknown party is answered exactly like a bad signature, after the same work, so that party
    // ids cannot be enumerated by probing (docs/security.md; the mempool does the same for submissions).
    const verified = this.opts.verify(party?.publicKey ?? NOBODY_KEY, message, fromHex(signature));
    if (!party || !verified) {
      throw new ApiError("BAD_SIGNATURE", `the request signature does not verify for the claimed party ${partyId} (signed: chain, party, time, nonce, method and the exact path with query)`);
    }
    // Only verified requests enter the cache, so forgeries cannot fill it.
    const seen = this.nonces.record(`${partyId}/${nonce}`, now);
    if (seen === "replay") throw unauthenticated("this request signature was already used (replay): sign every request with a fresh nonce");
    if (seen === "full") throw new ApiError("RATE_LIMITED", "too many signed requests in this minute", { retryAfterMs: this.skew });
    return { id: party.id, role: party.role };
  }
}
