// The bench's correctness verdict: which answers without a receipt say the node never admitted the
// transaction (load shed, not a failure when it never commits), and which leave it possibly admitted.
import t from "tap";
import { refusedBeforeAdmission } from "../bench/verdict.js";

t.test("a node's refusal with its code, or 408, is a refusal before admission", async (t) => {
  for (const r of ["503 MEMPOOL_FULL", "429 RATE_LIMITED", "400 MALFORMED_TX", "413 TOO_LARGE", "408"]) t.ok(refusedBeforeAdmission(r), r);
});

t.test("pending, no answer, a network error, a 500 or a bare status leave it possibly admitted", async (t) => {
  for (const r of ["pending", "unanswered", "network ECONNRESET", "network ETIMEDOUT", "500 INTERNAL", "500", "503", "0", "", "200 OK extra"]) t.notOk(refusedBeforeAdmission(r), r);
});
