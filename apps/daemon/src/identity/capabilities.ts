/**
 * The capability list: one home. Runbooks add their own (`RunbookDefinition.capability`), which the
 * registry knows; everything else is here.
 */
export const PLATFORM_CAPABILITIES = {
  opsView: 'platform.ops.view',
  runbooksView: 'platform.runbooks.view',
  runbooksRun: 'platform.runbooks.run',
  breakGlass: 'platform.breakglass',
  alertsManage: 'platform.alerts.manage',
  schedulesManage: 'platform.schedules.manage',
  // Approve or reject another operator's run request and edit approval policies; never granted by
  // break-glass (four eyes means a second, standing operator).
  runbooksApprove: 'platform.runbooks.approve',
  // Revert an ended run of a reversible runbook (a run of its own, runs/revert); not granted by
  // break-glass.
  runbooksRevert: 'platform.runbooks.revert',
} as const;

export type PlatformCapability = (typeof PLATFORM_CAPABILITIES)[keyof typeof PLATFORM_CAPABILITIES];
export const ALL_PLATFORM_CAPABILITIES: readonly string[] = Object.values(PLATFORM_CAPABILITIES);

/** What break-glass grants while it lasts: viewing and running every runbook. */
export function breakGlassGrants(runbookCapabilities: readonly string[]): string[] {
  return [
    PLATFORM_CAPABILITIES.opsView,
    PLATFORM_CAPABILITIES.runbooksView,
    PLATFORM_CAPABILITIES.runbooksRun,
    ...runbookCapabilities,
  ];
}

export const PLANES = ['platform', 'tenant'] as const;
export type Plane = (typeof PLANES)[number];
