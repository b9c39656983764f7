// Unit tier for p2p: framing known answers, scoring arithmetic, identity derivation, the gater
// policy and option validation. No sockets.
import "../p2p/polyfill.js";
import t from "tap";
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id";
import { nodeCrypto } from "../node/crypto.js";
import { createP2P, encodeFrame, encodeVarint, FrameDecoder, FrameError, peerIdFromNodePublicKey, privateKeyFromNodeSeed } from "../p2p/index.js";
import { createConnectionGater } from "../p2p/gater.js";
import { PeerDirectory } from "../p2p/peers.js";
import { PeerScorer } from "../p2p/scoring.js";
import { encodeSyncRequest } from "../p2p/sync.js";
import { peerEntry, testIdentity } from "../tools/p2p-testing.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function frameErrorKind(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof FrameError ? err.kind : `other: ${String(err)}`;
  }
  return "no error";
}

t.test("varint prefixes: unsigned LEB128 known answers", async (t) => {
  // multiformats/unsigned-varint README examples
  t.equal(hex(encodeVarint(0)), "00");
  t.equal(hex(encodeVarint(1)), "01");
  t.equal(hex(encodeVarint(127)), "7f");
  t.equal(hex(encodeVarint(128)), "8001");
  t.equal(hex(encodeVarint(255)), "ff01");
  t.equal(hex(encodeVarint(300)), "ac02");
  t.equal(hex(encodeVarint(16384)), "808001");
  t.equal(hex(encodeFrame(new Uint8Array([0xaa, 0xbb]))), "02aabb");
  t.throws(() => encodeVarint(-1), RangeError);
  t.throws(() => encodeVarint(1.5), RangeError);
});

t.test("the frame decoder reassembles frames across any chunking", async (t) => {
  const payloads = [new Uint8Array(0), new Uint8Array([1]), new Uint8Array(300).fill(7), new Uint8Array(5000).map((_, i) => i & 0xff)];
  const wire = Buffer.concat(payloads.map((p) => encodeFrame(p)));
  for (const chunk of [1, 2, 3, 7, 64, 4096, wire.length]) {
    const d = new FrameDecoder(10_000);
    const out: Uint8Array[] = [];
    for (let off = 0; off < wire.length; off += chunk) {
      d.push(new Uint8Array(wire.subarray(off, off + chunk)));
      for (let f = d.next(); f !== null; f = d.next()) out.push(f);
    }
    t.same(out.map(hex), payloads.map(hex), `chunks of ${chunk}`);
    t.equal(d.bufferedBytes, 0);
  }
  // Frames are copies: mutating the input afterwards does not change them.
  const d = new FrameDecoder(10);
  const input = new Uint8Array([2, 9, 9]);
  d.push(input);
  const f = d.next()!;
  input.fill(0);
  t.equal(hex(f), "0909");
  // Uint8ArrayList-like chunks (anything with subarray()) are accepted.
  const d2 = new FrameDecoder(10);
  d2.push({ byteLength: 2, subarray: () => new Uint8Array([1, 5]) });
  t.equal(hex(d2.next()!), "05");
});

t.test("the frame decoder rejects oversized and malformed length prefixes", async (t) => {
  const over = new FrameDecoder(100);
  over.push(encodeVarint(101));
  t.equal(frameErrorKind(() => over.next()), "oversized");
  // A huge length is refused from its first bytes, before any payload is buffered.
  const huge = new FrameDecoder(100);
  huge.push(new Uint8Array([0xff, 0xff]));
  t.equal(frameErrorKind(() => huge.next()), "oversized");
  const atLimit = new FrameDecoder(100);
  atLimit.push(encodeFrame(new Uint8Array(100)));
  t.equal(atLimit.next()!.length, 100, "exactly maxFrameBytes is fine");
  const nonMinimal = new FrameDecoder(100);
  nonMinimal.push(new Uint8Array([0x81, 0x00, 0x00]));
  t.equal(frameErrorKind(() => nonMinimal.next()), "bad_length");
  const long = new FrameDecoder(2 ** 40);
  long.push(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
  t.equal(frameErrorKind(() => long.next()), "bad_length");
  const partial = new FrameDecoder(100);
  partial.push(new Uint8Array([5, 1, 2]));
  t.equal(partial.next(), null, "incomplete frame waits for more bytes");
  t.equal(partial.bufferedBytes, 2);
});

t.test("scoring: penalties decay, a threshold bans, bans grow and are capped", async (t) => {
  let now = 1_000_000;
  const s = new PeerScorer({ banThreshold: 100, decayHalfLifeMs: 60_000, banMs: 60_000, maxBanMs: 200_000 }, () => now);
  t.same(s.penalize("p", 40), { score: 40 });
  now += 60_000; // one half-life
  t.equal(s.score("p"), 20);
  t.same(s.penalize("p", 40), { score: 60 });
  t.equal(s.isBanned("p"), false);
  const out = s.penalize("p", 40);
  t.equal(out.bannedForMs, 60_000, "first ban: banMs");
  t.equal(s.isBanned("p"), true);
  t.equal(s.score("p"), 0, "score reset on ban");
  now += 59_999;
  t.equal(s.isBanned("p"), true);
  now += 1;
  t.equal(s.isBanned("p"), false, "ban expires");
  t.equal(s.penalize("p", 100).bannedForMs, 120_000, "second ban doubles");
  now += 120_000;
  t.equal(s.penalize("p", 100).bannedForMs, 200_000, "third ban capped at maxBanMs");
  t.equal(s.bans("p"), 3);
  t.equal(s.score("other"), 0);
  t.throws(() => s.penalize("p", 0), RangeError);
  t.throws(() => new PeerScorer({ banThreshold: 0, decayHalfLifeMs: 1, banMs: 1, maxBanMs: 1 }), RangeError);
});

t.test("identity: the peer id follows from the genesis public key", async (t) => {
  const seed = new Uint8Array(32).fill(7);
  const pub = nodeCrypto.publicKeyFromSeed(seed);
  const key = await privateKeyFromNodeSeed(seed);
  t.equal(hex(key.publicKey.raw), hex(pub), "libp2p and node/crypto derive the same ed25519 key (RFC 8032)");
  t.equal(peerIdFromNodePublicKey(pub), peerIdFromPrivateKey(key).toString());
  // Known answer, so a library upgrade cannot silently change every validator's peer id.
  t.equal(peerIdFromNodePublicKey(pub), "12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7");
  t.equal(hex(pub), "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c");
  t.throws(() => peerIdFromNodePublicKey(new Uint8Array(31)), TypeError);
  await t.rejects(privateKeyFromNodeSeed(new Uint8Array(33)), TypeError);
});

t.test("gater: only allow-listed, unbanned peers pass, in both directions", async (t) => {
  const known = testIdentity("gate-known");
  const banned = testIdentity("gate-banned");
  const stranger = testIdentity("gate-stranger");
  const refusals: string[] = [];
  const gater = createConnectionGater({
    isAllowed: (id) => id === known.peerId || id === banned.peerId,
    isBanned: (id) => id === banned.peerId,
    onRefused: (id, direction, why) => void refusals.push(`${id === stranger.peerId ? "stranger" : "banned"}/${direction}/${why}`),
  });
  const pid = (x: { peerId: string }) => peerIdFromString(x.peerId);
  const maConn = {} as never;
  t.equal(await gater.denyDialPeer!(pid(known)), false);
  t.equal(await gater.denyInboundEncryptedConnection!(pid(known), maConn), false);
  t.equal(await gater.denyOutboundEncryptedConnection!(pid(known), maConn), false);
  t.equal(await gater.denyDialPeer!(pid(stranger)), true);
  t.equal(await gater.denyInboundEncryptedConnection!(pid(stranger), maConn), true);
  t.equal(await gater.denyOutboundEncryptedConnection!(pid(stranger), maConn), true);
  t.equal(await gater.denyInboundEncryptedConnection!(pid(banned), maConn), true);
  t.equal(await gater.denyDialPeer!(pid(banned)), true);
  t.same(refusals, ["stranger/outbound/unknown", "stranger/inbound/unknown", "stranger/outbound/unknown", "banned/inbound/banned", "banned/outbound/banned"]);
});

t.test("the allow-list and options are validated with errors that name the field", async (t) => {
  const a = testIdentity("opt-a");
  const b = testIdentity("opt-b");
  const dir = new PeerDirectory([peerEntry(a, ["/ip4/10.0.0.1/tcp/26656"]), peerEntry(b, [], false)], a.peerId);
  t.equal(dir.isRemote(a.peerId), false, "self is not remote");
  t.equal(dir.isRemote(b.peerId), true);
  t.same(dir.get(a.peerId)?.ref, { peerId: a.peerId, validatorId: "opt-a" });
  t.same(dir.get(b.peerId)?.ref, { peerId: b.peerId }, "an observer has no validator id");
  t.same(dir.remotes().map((p) => p.ref.peerId), [b.peerId]);
  t.throws(() => new PeerDirectory([{ publicKey: new Uint8Array(3) }], a.peerId), /peers\[0\]\.publicKey/);
  t.throws(() => new PeerDirectory([peerEntry(a), peerEntry(a)], a.peerId), /peers\[1\]\.validatorId: duplicate/);
  t.throws(() => new PeerDirectory([peerEntry(a, ["not a multiaddr"])], a.peerId), /peers\[0\]\.addrs\[0\]/);
  t.throws(() => new PeerDirectory([{ ...peerEntry(a), addrs: [`/ip4/1.2.3.4/tcp/1/p2p/${b.peerId}`] }], a.peerId), /peers\[0\]\.addrs\[0\]: \/p2p\/.* is not the peer id/);
  const withSuffix = new PeerDirectory([{ ...peerEntry(b), addrs: [`/ip4/1.2.3.4/tcp/1/p2p/${b.peerId}`] }], a.peerId);
  t.same(withSuffix.get(b.peerId)?.addrs.map(String), ["/ip4/1.2.3.4/tcp/1"], "a matching /p2p suffix is accepted and stripped");

  const components = { validateTx: () => "accept" as const, serveBlocks: () => [] };
  const base = { chainId: "c", nodeKeySeed: a.seed, listen: [], peers: [] };
  t.throws(() => createP2P({ ...base, nodeKeySeed: new Uint8Array(31) }, components), /nodeKeySeed/);
  t.throws(() => createP2P({ ...base, chainId: "" }, components), /chainId/);
  t.throws(() => createP2P({ ...base, redialBaseMs: 0 }, components), /redial/);
  t.throws(() => createP2P(base, { ...components, serveBlocks: undefined as never }), /serveBlocks/);
  const net = createP2P(base, components);
  t.equal(net.peerId, a.peerId, "the peer id is known before start()");
  t.throws(() => net.registerChannel({ name: "Bad Name", protocol: "/x/1", maxFrameBytes: 1, decode: (b) => b, handler: () => {} }), /channel name/);
  net.registerChannel({ name: "x", protocol: "/x/1", maxFrameBytes: 10, decode: (b) => b, handler: () => {} });
  t.throws(() => net.registerChannel({ name: "x", protocol: "/y/1", maxFrameBytes: 10, decode: (b) => b, handler: () => {} }), /already registered/);
  t.throws(() => net.registerChannel({ name: "y", protocol: "/x/1", maxFrameBytes: 10, decode: (b) => b, handler: () => {} }), /already registered/);
  t.throws(() => net.registerChannel({ name: "z", protocol: "/z/1", maxFrameBytes: 100, decode: (b) => b, handler: () => {}, queue: { maxBytes: 10 } }), /queue/);
  await net.stop(); // stopping a never-started network is a no-op
});

t.test("sync request layout", async (t) => {
  t.equal(hex(encodeSyncRequest(3n, 7n, 16 * 1024 * 1024)), "0000000000000003" + "0000000000000007" + "01000000");
  t.equal(hex(encodeSyncRequest(0n, (1n << 64n) - 1n, 0xffffffff)), "0000000000000000" + "ffffffffffffffff" + "ffffffff");
});
