// ed25519 keys in a PKCS#11 token (an HSM; SoftHSM2 in tests). The private key never leaves the
// token: it is generated there (CKM_EC_EDWARDS_KEY_PAIR_GEN, CKA_SENSITIVE, not extractable) and
// signs with CKM_EDDSA (PKCS#11 v3.0 §2.3.14; pure Ed25519, RFC 8032 §5.1.6, so the signature is
// byte-identical to node:crypto's and noble's for the same key). Used for party keys (the SDK's
// asynchronous Signer) and for a validator's node key (consensus signs synchronously, on the
// driver's one thread: see docs/security.md §8 for what that costs per signature).
//
// pkcs11js is an optional dependency (a native addon built at install): this module loads it
// lazily and says what to do when it is missing.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { toHex } from "../../sdk/bytes.js";
import type { Signer } from "../../sdk/signer.js";
import { assertPartyId } from "../../sdk/signer.js";

// PKCS#11 v3.0 constants that pkcs11js 2 does not export.
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;
const CKK_EC_EDWARDS = 0x40;
/** DER of the OID id-Ed25519, 1.3.101.112 (RFC 8410 §3): the CKA_EC_PARAMS of an Ed25519 key. */
const ED25519_EC_PARAMS = Buffer.from("06032b6570", "hex");

type Pkcs11Module = typeof import("pkcs11js");
type Pkcs11 = InstanceType<Pkcs11Module["PKCS11"]>;
type Handle = Buffer;

export class Pkcs11KeyError extends Error {
  override readonly name = "Pkcs11KeyError";
  constructor(
    readonly code: "PKCS11_UNAVAILABLE" | "TOKEN_NOT_FOUND" | "KEY_NOT_FOUND" | "KEY_EXISTS" | "MECHANISM_UNSUPPORTED" | "PKCS11_ERROR",
    message: string,
  ) {
    super(message);
  }
}

let loaded: Pkcs11Module | undefined;
function pkcs11js(): Pkcs11Module {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)("pkcs11js") as Pkcs11Module;
    return loaded;
  } catch (err) {
    throw new Pkcs11KeyError("PKCS11_UNAVAILABLE", `the pkcs11js addon is not installed or did not build (${(err as Error).message.split("\n")[0]}); it is an optional dependency: install a C++ toolchain (g++, make, python3) and run npm ci again`);
  }
}

/** Where a key lives: the PKCS#11 module (the vendor's .so), the token's label, the key's label, the user PIN. */
export interface Pkcs11KeyRef {
  module: string;
  tokenLabel: string;
  keyLabel: string;
  pin: string;
}

/** The PIN from TRADELEDGER_PKCS11_PIN_FILE or TRADELEDGER_PKCS11_PIN (never from the config file). */
export function pinFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRADELEDGER_PKCS11_PIN_FILE) return readFileSync(env.TRADELEDGER_PKCS11_PIN_FILE, "utf8").replace(/\r?\n$/, "");
  if (env.TRADELEDGER_PKCS11_PIN) return env.TRADELEDGER_PKCS11_PIN;
  throw new Pkcs11KeyError("PKCS11_ERROR", "no PKCS#11 PIN: set TRADELEDGER_PKCS11_PIN_FILE (or TRADELEDGER_PKCS11_PIN)");
}

/** One loaded module, logged in to one token. Modules are process-wide in PKCS#11, so sessions share it. */
class Token {
  private static readonly open = new Map<string, Token>();
  private refs = 0;

  private constructor(
    readonly p11: Pkcs11,
    readonly slot: Handle,
    readonly key: string,
  ) {}

  static acquire(ref: Pick<Pkcs11KeyRef, "module" | "tokenLabel" | "pin">): Token {
    const id = `${ref.module}\u0000${ref.tokenLabel}`;
    let token = Token.open.get(id);
    if (!token) {
      const mod = pkcs11js();
      const p11 = new mod.PKCS11();
      try {
        p11.load(ref.module);
        p11.C_Initialize();
      } catch (err) {
        throw new Pkcs11KeyError("PKCS11_ERROR", `cannot load the PKCS#11 module ${ref.module}: ${(err as Error).message}`);
      }
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === ref.tokenLabel);
      if (!slot) {
        p11.C_Finalize();
        throw new Pkcs11KeyError("TOKEN_NOT_FOUND", `no token labelled ${ref.tokenLabel} in ${ref.module}`);
      }
      if (!p11.C_GetMechanismList(slot).includes(CKM_EDDSA)) {
        p11.C_Finalize();
        throw new Pkcs11KeyError("MECHANISM_UNSUPPORTED", `the token ${ref.tokenLabel} does not offer CKM_EDDSA (ed25519); SoftHSM2 needs 2.6 or later built with OpenSSL EdDSA`);
      }
      token = new Token(p11, slot, id);
      // Logging in once logs in every session of this application (PKCS#11 v2.40 §5.6).
      const login = token.session();
      try {
        p11.C_Login(login, mod.CKU_USER, ref.pin);
      } catch (err) {
        if (!/CKR_USER_ALREADY_LOGGED_IN/.test((err as Error).message)) {
          p11.C_Finalize();
          throw new Pkcs11KeyError("PKCS11_ERROR", `login to ${ref.tokenLabel} failed: ${(err as Error).message}`);
        }
      }
      Token.open.set(id, token);
    }
    token.refs++;
    return token;
  }

  session(): Handle {
    const mod = pkcs11js();
    return this.p11.C_OpenSession(this.slot, mod.CKF_SERIAL_SESSION | mod.CKF_RW_SESSION);
  }

  release(): void {
    if (--this.refs > 0) return;
    Token.open.delete(this.key);
    try {
      this.p11.C_Finalize();
    } catch {
      /* already finalised */
    }
  }

  find(session: Handle, template: { type: number; value: unknown }[]): Handle[] {
    this.p11.C_FindObjectsInit(session, template as never);
    try {
      return this.p11.C_FindObjects(session, 4);
    } finally {
      this.p11.C_FindObjectsFinal(session);
    }
  }
}

/** The 32-byte key from CKA_EC_POINT: a DER OCTET STRING (04 20 ‖ key) per PKCS#11 v3.0, or the raw bytes. */
function ecPointToRaw(point: Buffer): Uint8Array {
  if (point.length === 34 && point[0] === 0x04 && point[1] === 0x20) return new Uint8Array(point.subarray(2));
  if (point.length === 32) return new Uint8Array(point);
  throw new Pkcs11KeyError("PKCS11_ERROR", `unexpected CKA_EC_POINT of ${point.length} bytes`);
}

/**
 * An ed25519 key in a token. `signSync` is for consensus (the replica signs inside its step, on
 * one thread: the call blocks for the token's latency); `sign` runs the token call off the event
 * loop (libuv's thread pool) for party signing. Each has its own session, and async signatures are
 * serialised, since one PKCS#11 session carries one signing operation at a time.
 */
export class Pkcs11Key {
  readonly publicKey: Uint8Array;
  private readonly syncSession: Handle;
  private readonly asyncSession: Handle;
  private readonly privateKey: Handle;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly token: Token,
    readonly ref: Omit<Pkcs11KeyRef, "pin">,
  ) {
    const mod = pkcs11js();
    this.syncSession = token.session();
    this.asyncSession = token.session();
    const [priv] = token.find(this.syncSession, [
      { type: mod.CKA_CLASS, value: mod.CKO_PRIVATE_KEY },
      { type: mod.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
      { type: mod.CKA_LABEL, value: ref.keyLabel },
    ]);
    const [pub] = token.find(this.syncSession, [
      { type: mod.CKA_CLASS, value: mod.CKO_PUBLIC_KEY },
      { type: mod.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
      { type: mod.CKA_LABEL, value: ref.keyLabel },
    ]);
    if (!priv || !pub) throw new Pkcs11KeyError("KEY_NOT_FOUND", `no ed25519 key pair labelled ${ref.keyLabel} in token ${ref.tokenLabel}`);
    this.privateKey = priv;
    const [point] = token.p11.C_GetAttributeValue(this.syncSession, pub, [{ type: mod.CKA_EC_POINT }]);
    this.publicKey = ecPointToRaw(point!.value as Buffer);
  }

  /** Opens an existing key. */
  static open(ref: Pkcs11KeyRef): Pkcs11Key {
    const token = Token.acquire(ref);
    try {
      return new Pkcs11Key(token, { module: ref.module, tokenLabel: ref.tokenLabel, keyLabel: ref.keyLabel });
    } catch (err) {
      token.release();
      throw err;
    }
  }

  /** Generates a key pair inside the token (private part sensitive, never extractable) and opens it. */
  static generate(ref: Pkcs11KeyRef): Pkcs11Key {
    const mod = pkcs11js();
    const token = Token.acquire(ref);
    try {
      const session = token.session();
      try {
        const exists = token.find(session, [
          { type: mod.CKA_CLASS, value: mod.CKO_PRIVATE_KEY },
          { type: mod.CKA_LABEL, value: ref.keyLabel },
        ]);
        if (exists.length) throw new Pkcs11KeyError("KEY_EXISTS", `token ${ref.tokenLabel} already holds a key labelled ${ref.keyLabel}`);
        token.p11.C_GenerateKeyPair(
          session,
          { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
          [
            { type: mod.CKA_TOKEN, value: true },
            { type: mod.CKA_VERIFY, value: true },
            { type: mod.CKA_EC_PARAMS, value: ED25519_EC_PARAMS },
            { type: mod.CKA_LABEL, value: ref.keyLabel },
          ],
          [
            { type: mod.CKA_TOKEN, value: true },
            { type: mod.CKA_PRIVATE, value: true },
            { type: mod.CKA_SIGN, value: true },
            { type: mod.CKA_SENSITIVE, value: true },
            { type: mod.CKA_EXTRACTABLE, value: false },
            { type: mod.CKA_LABEL, value: ref.keyLabel },
          ],
        );
      } finally {
        token.p11.C_CloseSession(session);
      }
      return new Pkcs11Key(token, { module: ref.module, tokenLabel: ref.tokenLabel, keyLabel: ref.keyLabel });
    } catch (err) {
      token.release();
      if (err instanceof Pkcs11KeyError) throw err;
      throw new Pkcs11KeyError("PKCS11_ERROR", `generating ${ref.keyLabel} in ${ref.tokenLabel}: ${(err as Error).message}`);
    }
  }

  /** The signature of `message`, synchronously (blocks this thread for the token's latency). */
  signSync(message: Uint8Array): Uint8Array {
    if (this.closed) throw new Pkcs11KeyError("PKCS11_ERROR", `${this.ref.keyLabel}: key closed`);
    this.token.p11.C_SignInit(this.syncSession, { mechanism: CKM_EDDSA }, this.privateKey);
    return new Uint8Array(this.token.p11.C_Sign(this.syncSession, Buffer.from(message), Buffer.alloc(64)));
  }

  /** The signature of `message`; the token call runs on libuv's thread pool. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    const run = async () => {
      if (this.closed) throw new Pkcs11KeyError("PKCS11_ERROR", `${this.ref.keyLabel}: key closed`);
      this.token.p11.C_SignInit(this.asyncSession, { mechanism: CKM_EDDSA }, this.privateKey);
      return new Uint8Array(await this.token.p11.C_SignAsync(this.asyncSession, Buffer.from(message), Buffer.alloc(64)));
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.syncSession, this.asyncSession]) {
      try {
        this.token.p11.C_CloseSession(s);
      } catch {
        /* the module may be finalised already */
      }
    }
    this.token.release();
  }

  toString(): string {
    return `Pkcs11Key(${this.ref.tokenLabel}/${this.ref.keyLabel}, ${toHex(this.publicKey)})`;
  }
}

/** A party signer whose key is in a token: the SDK's asynchronous Signer. */
export function pkcs11Signer(partyId: string, key: Pkcs11Key): Signer {
  assertPartyId(partyId);
  return Object.freeze({ partyId, publicKey: key.publicKey, sign: (message: Uint8Array) => key.sign(message) });
}
