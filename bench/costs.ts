// What a block costs and what a transaction costs, each on its own: a node's CPU over a phase is
// about (idle CPU per second x seconds) + (per block x blocks) + (per transaction x transactions).
// The idle phase gives the first term; the loaded phases, whose blocks hold different numbers of
// transactions (one or two at 100 tx/s, hundreds in the closed loop), give the other two by least
// squares. Printed by `npm run bench` after the phases.

export interface CostSample {
  /** CPU of one node in the window (the mean over the nodes), ms */
  cpuMs: number;
  blocks: number;
  txs: number;
  seconds: number;
}

export interface BlockTxCost {
  perBlockMs: number;
  perTxMs: number;
  /** phases the fit used */
  phases: number;
}

/**
 * Least-squares fit of cpuMs - idle x seconds = perBlock x blocks + perTx x txs, or undefined when
 * the phases cannot separate the two (fewer than two, blocks and transactions proportional, or a
 * negative cost comes out).
 */
export function fitBlockAndTxCost(samples: readonly CostSample[], idleCpuMsPerSecond: number): BlockTxCost | undefined {
  const use = samples.filter((s) => s.blocks > 0 && Number.isFinite(s.cpuMs));
  if (use.length < 2) return undefined;
  let bb = 0;
  let bt = 0;
  let tt = 0;
  let bc = 0;
  let tc = 0;
  for (const s of use) {
    const c = s.cpuMs - idleCpuMsPerSecond * s.seconds;
    bb += s.blocks * s.blocks;
    bt += s.blocks * s.txs;
    tt += s.txs * s.txs;
    bc += s.blocks * c;
    tc += s.txs * c;
  }
  const det = bb * tt - bt * bt;
  // proportional columns (every phase the same transactions per block): nothing to separate
  if (Math.abs(det) <= 1e-9 * bb * tt) return undefined;
  const perBlockMs = (bc * tt - tc * bt) / det;
  const perTxMs = (bb * tc - bt * bc) / det;
  // a negative cost means the phases did not behave like the model (a starved network: CPU went to
  // view changes and timeouts, not to blocks): say nothing rather than something false
  if (perBlockMs < 0 || perTxMs < 0) return undefined;
  return { perBlockMs, perTxMs, phases: use.length };
}
