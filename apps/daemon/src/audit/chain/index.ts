export {
  CANONICAL_FIELDS,
  CHAIN_VERSION,
  type ChainRecord,
  canonicalText,
  eventHash,
  GENESIS_HASH,
} from './canonical.ts';
export { type ChainBreak, ChainChecker } from './chain-checker.ts';
export {
  auditChainStatus,
  type ChainStatus,
  type ChainVerification,
  eachChainRecord,
  STATUS_BUDGET,
  verifyAuditChain,
} from './chain-verify.ts';
