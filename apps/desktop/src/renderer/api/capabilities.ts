/** Capabilities the console checks, and what each one lets an operator do, in their words. */
export const CAPABILITIES = {
  opsView: 'platform.ops.view',
  runbooksView: 'platform.runbooks.view',
  runbooksRun: 'platform.runbooks.run',
  breakGlass: 'platform.breakglass',
  alertsManage: 'platform.alerts.manage',
  schedulesManage: 'platform.schedules.manage',
  runbooksRevert: 'platform.runbooks.revert',
  runbooksApprove: 'platform.runbooks.approve',
} as const;

const DESCRIPTIONS: Record<string, string> = {
  [CAPABILITIES.opsView]: 'view runs and the audit log',
  [CAPABILITIES.runbooksView]: 'view runbooks and run preflights',
  [CAPABILITIES.runbooksRun]: 'start, pause, resume and cancel runs',
  [CAPABILITIES.breakGlass]: 'enter break-glass',
  [CAPABILITIES.alertsManage]: 'manage alert destinations',
  [CAPABILITIES.schedulesManage]: 'manage schedules',
  [CAPABILITIES.runbooksRevert]: 'revert ended runs of reversible runbooks',
  [CAPABILITIES.runbooksApprove]: "approve or reject other operators' run requests",
};

/** "start, pause, resume and cancel runs", or for a runbook's own capability, "run this runbook". */
export function describeCapability(capability: string): string {
  return (
    DESCRIPTIONS[capability] ??
    (capability.startsWith('platform.runbooks.') ? 'run this runbook' : capability)
  );
}

export function hasCapability(capabilities: readonly string[], capability: string): boolean {
  return capabilities.includes(capability);
}

/** Whether the operator may start `runbook`: the general run right plus the runbook's own. */
export function canRunRunbook(capabilities: readonly string[], runbookCapability: string): boolean {
  return (
    hasCapability(capabilities, CAPABILITIES.runbooksRun) && hasCapability(capabilities, runbookCapability)
  );
}
