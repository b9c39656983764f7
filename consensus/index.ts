// PBFT consensus core: a pure state machine (no I/O, no clock, no randomness). See docs/consensus.md.
export * from "./types.js";
export { Replica, step, validateConsensusConfig, ConsensusConfigError, type ReplicaOptions } from "./replica.js";
export { CertificateChecker, planNewView, type NewViewPlan, type PlannedEntry } from "./certificates.js";
export { signingBytes, malformation, SIGNING_DOMAINS } from "./messages.js";
export { compactRecords } from "./records.js";
