import { z } from 'zod';

/**
 * Which runs of a runbook need a second operator's approval. `all_tenants` is the product default
 * (a runbook without a policy of its own, and no `*` policy, gets it).
 */
export const APPROVAL_MODES = ['none', 'all_tenants', 'every_run'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const DEFAULT_APPROVAL_MODE: ApprovalMode = 'all_tenants';

/** The policy row that applies to every runbook without its own. */
export const EVERY_RUNBOOK = '*';

/** In operator words, for messages and the console. */
export const APPROVAL_MODE_WORDS: Record<ApprovalMode, string> = {
  none: 'no approval needed',
  all_tenants: 'all-tenants runs need approval',
  every_run: 'every run needs approval',
};

export interface ApprovalPolicy {
  runbookId: string;
  mode: ApprovalMode;
  /**
   * Deploy identities (`OPS_DEPLOY_IDENTITY`, or `$USER@host` of the exec) whose `exec` may start a
   * run this policy would hold for approval. Explicit, and every use is audited.
   */
  exemptIdentities: string[];
  /** Where the policy comes from: the runbook's own row, the `*` row, or the product default. */
  source: 'runbook' | 'every_runbook' | 'default';
  updatedBy: string | null;
  updatedAt: string | null;
}

export function needsApproval(mode: ApprovalMode, scopeKind: 'all' | 'tenant'): boolean {
  return mode === 'every_run' || (mode === 'all_tenants' && scopeKind === 'all');
}

/** A deploy identity: a name a pipeline sets, e.g. `release-pipeline` or `deploy@ci-runner-3`. */
export const deployIdentitySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9._@:+-]+$/, 'may hold only letters, digits and . _ @ : + -');

export const exemptIdentitiesSchema = z.array(deployIdentitySchema).max(50, 'at most 50 identities');
