// The worker of node/driver/verify-pool.ts: verifies the signatures of one message's jobs with
// node/crypto.ts (the node's own function, so the verdicts are the inline path's) and answers with
// one byte per job (1: valid). Anything it cannot read is answered invalid, never thrown.
import { parentPort } from "node:worker_threads";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "../../sdk/crypto.js";
import { nodeCrypto } from "../crypto.js";

parentPort!.on("message", (m: { id: number; count: number; buf: Uint8Array }) => {
  const ok = new Uint8Array(m.count);
  const buf = m.buf;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  for (let i = 0; i < m.count; i++) {
    if (at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4 > buf.length) break;
    const publicKey = buf.subarray(at, at + PUBLIC_KEY_BYTES);
    const signature = buf.subarray(at + PUBLIC_KEY_BYTES, at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES);
    const length = view.getUint32(at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES);
    const start = at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4;
    if (start + length > buf.length) break;
    try {
      ok[i] = nodeCrypto.verify(publicKey, buf.subarray(start, start + length), signature) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
    at = start + length;
  }
  parentPort!.postMessage({ id: m.id, ok }, [ok.buffer]);
});
