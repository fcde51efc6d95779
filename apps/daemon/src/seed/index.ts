export {
  DEFAULT_SEED_OPTIONS,
  platformFindingCount,
  SeedOptionError,
  type SeedOptions,
  type SeedResult,
  seedDemoData,
  validateSeedOptions,
} from './seed-data.ts';
