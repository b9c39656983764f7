// The bounded caches built on lru-cache: the store's Lru (null as a value, count and byte bounds,
// off when given no room) and the RPC's per-client token buckets (refill, retry hint, key bound).
import t from "tap";
import { Lru } from "../node/store/lru.js";
import { RateLimiter } from "../rpc/ratelimit.js";

t.test("Lru: least recently used goes first; null is a value; hits and misses counted", async (t) => {
  const c = new Lru<string, Uint8Array | null>(2);
  c.set("a", new Uint8Array([1]));
  c.set("absent", null);
  t.equal(c.get("absent"), null, "a known-absent record is cached as null, not a miss");
  c.set("b", new Uint8Array([2])); // evicts "a", the least recently used
  t.equal(c.get("a"), undefined);
  t.same(c.get("b"), new Uint8Array([2]));
  t.equal(c.size, 2);
  t.same({ hits: c.hits, misses: c.misses }, { hits: 2, misses: 1 });
  c.delete("b");
  t.equal(c.has("b"), false);
  c.clear();
  t.equal(c.size, 0);
});

t.test("Lru: bounded by bytes, counting each value's size", async (t) => {
  const c = new Lru<number, Uint8Array>(Infinity, 100, (v) => v.length);
  for (let i = 0; i < 5; i++) c.set(i, new Uint8Array(30));
  t.equal(c.size, 3, "three of 30 bytes fit in 100");
  t.equal(c.byteSize, 90);
  t.equal(c.get(0), undefined, "the oldest went first");
  c.set(9, new Uint8Array(200));
  t.equal(c.get(9), undefined, "a value larger than the whole cache is not kept");
  t.ok(c.byteSize <= 100);
});

t.test("Lru: no room means no caching, not an error", async (t) => {
  const c = new Lru<string, number>(0);
  c.set("a", 1);
  t.equal(c.get("a"), undefined);
  t.equal(c.size, 0);
  t.throws(() => new Lru<string, number>(Infinity), RangeError, "unbounded is refused");
});

t.test("RateLimiter: a minute's burst, then the refill rate, with a retry hint", async (t) => {
  let now = 0;
  const r = new RateLimiter(60, () => now);
  for (let i = 0; i < 60; i++) t.equal(r.take("ip:a").ok, true);
  const refused = r.take("ip:a");
  t.same(refused, { ok: false, retryAfterMs: 1000 }, "one token a second at 60 a minute");
  t.equal(r.take("ip:b").ok, true, "another client has its own bucket");
  now += 1000;
  t.equal(r.hasToken("ip:a"), true);
  t.equal(r.take("ip:a").ok, true);
  t.equal(r.take("ip:a").ok, false);
});

t.test("RateLimiter: the key map is bounded, dropping the least recently used", async (t) => {
  const now = 0;
  const r = new RateLimiter(1, () => now, 2);
  t.equal(r.take("ip:a").ok, true);
  t.equal(r.take("ip:b").ok, true);
  t.equal(r.take("ip:a").ok, false, "a has spent its token");
  t.equal(r.take("ip:c").ok, true, "c evicts b, the least recently used");
  t.equal(r.size, 2);
  t.equal(r.take("ip:a").ok, false, "a was kept (used more recently than b): still refused");
  t.equal(r.take("ip:b").ok, true, "b was dropped: a fresh allowance");
});
