// Issue 18, findings 5, 8, 9 and 10: what a hostile peer or client could do at the node's edge.
// Each test here failed before its fix (docs/security.md §9 lists the limits they pin).
import "../p2p/polyfill.js";
import t from "tap";
import { encodeFrame, encodeVarint, FrameDecoder, FrameError } from "../p2p/index.js";

// ---- finding 5: a length prefix does not make the receiver allocate the frame up front ----------

t.test("5: a peer announcing a 64 MiB frame and sending 10 bytes makes the reader hold ~10 bytes", async (t) => {
  const MiB = 1024 * 1024;
  const before = process.memoryUsage().arrayBuffers;
  const decoders: FrameDecoder[] = [];
  // Four streams at the consensus channel's ceiling: before the fix each allocated 64 MiB here.
  for (let i = 0; i < 4; i++) {
    const d = new FrameDecoder(64 * MiB);
    d.push(encodeVarint(64 * MiB));
    d.push(new Uint8Array(10).fill(7));
    t.equal(d.next(), null, "the frame is incomplete");
    t.equal(d.bufferedBytes, 10);
    t.ok(d.heldBytes <= 64 * 1024, `the reader holds ${d.heldBytes} bytes, not the announced 64 MiB`);
    decoders.push(d);
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  t.ok(grown < 16 * MiB, `array buffers grew by ${(grown / MiB).toFixed(1)} MiB for four 64 MiB announcements (was 256 MiB)`);

  // The buffer grows with what arrives, never past the announced length, and the frame is exact.
  const d = new FrameDecoder(1 * MiB);
  const payload = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
  const wire = encodeFrame(payload);
  let maxHeld = 0;
  let out: Uint8Array | null = null;
  for (let off = 0; off < wire.length; off += 4096) {
    d.push(wire.subarray(off, off + 4096));
    out = d.next();
    maxHeld = Math.max(maxHeld, d.heldBytes);
    if (out) break;
    const received = Math.min(off + 4096, wire.length);
    t.ok(d.heldBytes <= 2 * received + 16 * 1024, `held ${d.heldBytes} after ${received} bytes`);
  }
  t.ok(out, "the frame completes");
  t.equal(out!.length, payload.length);
  t.same(Buffer.from(out!).equals(Buffer.from(payload)), true, "byte for byte");
  t.ok(maxHeld <= payload.length + 4096, "never more than the frame plus one chunk");
  t.equal(d.heldBytes, 0, "nothing held after the frame");
  decoders.length = 0;
});

t.test("5: an announced length above the channel's max is refused before any payload is buffered", async (t) => {
  const d = new FrameDecoder(1024 * 1024);
  d.push(encodeVarint(64 * 1024 * 1024));
  let err: unknown;
  try {
    d.next();
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof FrameError && err.kind === "oversized", "oversized: the channel resets the stream and penalises the peer");
  t.equal(d.heldBytes, 0, "no frame buffer was allocated");
});
