// The release version, reported by `tradeledger --version` and GET /v1/status.
export const VERSION = "0.1.0";
