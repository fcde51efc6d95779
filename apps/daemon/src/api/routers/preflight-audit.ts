import type { AuditLog } from '../../audit/index.ts';
import { OpsError } from '../../errors.ts';
import type { Principal } from '../../identity/principal.ts';
import { PluginFaultError } from '../../runs/plugin-faults.ts';
import { actorOf } from './actor.ts';

/**
 * Runs a preflight or estimate and, when the runbook fails in it, records the attempt like a
 * successful preflight is recorded (same actor, runbook, scope and ip), as `runbook.preflight_failed`
 * with the reason in operator words; then rethrows. Refusals of the request itself (bad input, a
 * busy daemon) never reached the runbook and are not recorded here.
 */
export async function auditFailedRead<T>(
  ctx: { services: { ops: { audit: AuditLog } }; principal: Principal | null; ip: string | null },
  input: { runbookId: string; scope: unknown },
  what: 'preflight' | 'estimate' | 'change sample',
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (ctx.principal && (error instanceof PluginFaultError || !(error instanceof OpsError))) {
      const actor = actorOf(ctx.principal);
      await ctx.services.ops.audit.record({
        action: 'runbook.preflight_failed',
        actorLabel: actor.email,
        actor,
        runbookId: input.runbookId,
        scope: input.scope,
        outcome: 'failed',
        ip: ctx.ip,
        details: { read: what, reason: failureReason(input.runbookId, what, error) },
      });
    }
    throw error;
  }
}

/** The reason in operator words: ours as is; a plugin's own error by its message; never a database text. */
function failureReason(runbookId: string, what: string, error: unknown): string {
  if (error instanceof PluginFaultError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return `runbook ${runbookId}'s ${what} failed with a database error (SQLSTATE ${code})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `runbook ${runbookId}'s ${what} failed: ${message.slice(0, 300)}`;
}
