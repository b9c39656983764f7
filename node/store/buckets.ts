// Every LevelDB key starts with one byte naming its bucket. This file is the only list of them.
// An id is never reused: a bucket that is retired stays here, commented out, with its number
// (Lodestar's db/buckets.ts). Key and value layouts are in docs/storage.md.
//
// Encodings used in the layouts below:  u32 / u64 big-endian unsigned (so byte order = numeric
// order);  str = u16 big-endian byte length || utf8 bytes;  hash = 32 raw bytes.
export enum Bucket {
  /** "meta" -> StoreMeta (format version, chain id, head height and hash, state root; checksummed) */
  meta = 1,

  // ---- blocks ---------------------------------------------------------------------------------
  /** u64 height -> encoded BlockHeader, the exact bytes whose SHA-256 is the block hash */
  blockHeader = 2,
  /** hash block hash -> u64 height */
  blockByHash = 3,
  /** u64 height || u32 index -> SignedTx bytes exactly as received */
  blockTx = 4,
  /** u64 height || u32 index -> encoded Receipt */
  blockReceipt = 5,
  /** hash tx hash -> u64 height || u32 index, for the transaction that took the hash (DUPLICATE_TX) */
  txByHash = 6,
  /** hash tx hash || u64 height || u32 index -> empty: copies that did not take the hash (forged, replayed) */
  txAttempt = 7,
  /** u64 height -> encoded CommitCertificateMsg (proto/consensus.proto): the 2f+1 commits of the block */
  blockCertificate = 8,
  /** u64 seq -> encoded CheckpointCertificateMsg: 2f+1 CHECKPOINT signatures over block seq's hash (sdk/certified.ts) */
  checkpointCertificate = 9,
  /**
   * u64 epoch -> encoded EpochLinkMsg (proto/consensus.proto): the proof that validator-set epoch
   * `epoch` began (sdk/epochs.ts), built at the switch (node/epochs.ts); written with fsync
   */
  epochLink = 13,

  // ---- state ------------------------------------------------------------------------------------
  /** utf8 state key (node/ledger/state.ts KEY) -> record bytes */
  state = 10,
  /** u32 bucket -> entries (keyHash || valueHash, ascending); absent when empty (sdk/proofs.ts) */
  stateTreeBucket = 11,
  /** u32 bucket -> bucket hash; absent when the bucket is empty */
  stateTreeBucketHash = 12,

  // ---- the consensus driver's own durable records (write-ahead record of what it signed) ----------
  /** driver-defined key -> driver-defined value, written with sync */
  consensus = 20,

  // ---- read indexes (DESIGN.md §2); every value is empty unless stated: entries point into blocks --
  /** str receivable id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxReceivableHistory = 30,
  /** str exporter id || u64 height || u32 tx index: receivables it registered */
  idxExporter = 31,
  /** str bank id || u64 height || u32 tx index: its financings (one per finance transaction) */
  idxBankFinancing = 32,
  /** str status || u64 registeredAt || str receivable id: current status (moves on every change) */
  idxStatus = 33,
  /** str due date || str receivable id: every receivable */
  idxDueDate = 34,
  /** str due date || str receivable id: receivables with financing outstanding (OVERDUE listing) */
  idxOutstandingDueDate = 35,
  /** hash document hash || u64 height || u32 tx index: transactions carrying it (any outcome) */
  idxDocument = 36,
  /** hash fingerprint || u64 height || u32 tx index: registrations carrying it (any outcome) */
  idxFingerprint = 37,
  /** u64 height || u32 tx index: every rejected transaction */
  idxRejection = 38,
  /** str code || u64 height || u32 tx index */
  idxRejectionByCode = 39,
  /** str signer || u64 height || u32 tx index */
  idxRejectionBySigner = 40,

  // ---- digital warrants (DESIGN.md §7) ------------------------------------------------------------
  /** str piece id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxPieceHistory = 41,
  /** str warrant id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxWarrantHistory = 42,
  /** str credit line id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxLineHistory = 43,
  /** str holder id || str warrant id || str piece id: live leaves (not SPENT) by current holder (moves with the holder) */
  idxPieceHolder = 44,
  /** str obligor id || u64 height || u32 tx index || str warrant id: warrants it issued */
  idxWarrantObligor = 45,
  /** str line id || u64 height || u32 tx index || str warrant id: warrants issued on the line */
  idxWarrantLine = 46,
  /** str bank id || u64 height || u32 tx index || str line id: credit lines it granted */
  idxLineBank = 47,
  /** str obligor id || u64 height || u32 tx index || str line id: credit lines granted to it */
  idxLineObligor = 48,
  /** str bank id || str piece id: pieces a bank financed or bought (Piece.financedBy; never moves) */
  idxPieceBank = 49,

  // ---- title documents and pledges (DESIGN.md §8, docs/titles.md) ---------------------------------
  /** str title id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxTitleHistory = 50,
  /** str lot id || u64 height || u32 tx index || u16 event index (0xffff: rejected attempt) */
  idxLotHistory = 51,
  /** str holder id || str lot id || str title id: live titles (not SURRENDERED) by current holder (moves with the holder) */
  idxTitleHolder = 52,
  /** str lot id || u64 height || u32 tx index || str title id: titles issued on the lot (never moves) */
  idxLotTitle = 53,
  /** str custodian id || str lot id: lots by the custodian that attests them (Lot.custodianId; never moves) */
  idxLotCustodian = 54,
  /** str bank id || str lot id || str title id: titles offered or pledged to the bank now (moves with the pledge) */
  idxTitleBank = 55,

  // ---- supervision (DESIGN.md §11, docs/supervision.md): alerts are in receipts, indexed here --------
  /** u64 height || u32 tx index || u16 alert index: every alert */
  idxAlert = 60,
  /** str rule id || u64 height || u32 tx index || u16 alert index */
  idxAlertByRule = 61,
  /** str party id || u64 height || u32 tx index || u16 alert index: alerts naming the party */
  idxAlertByParty = 62,
  // ---- before, during and after lending (DESIGN.md §10, docs/lending.md) --------------------------
  /** str party id || u64 height || u32 tx index: attestations of the party's financials */
  idxFinancials = 56,
}

export const BUCKET_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Bucket)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);
