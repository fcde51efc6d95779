/** What a delivery was about, as the daemon names it (ALERT_EVENTS), in operator words. */
const EVENT_LABELS: Readonly<Record<string, string>> = {
  'run.failed': 'Run failed',
  'run.partially_succeeded': 'Run partially succeeded',
  'run.succeeded': 'Run succeeded',
  'schedule.drift_detected': 'Drift detected by a schedule',
  'approval.requested': 'Approval requested',
  test: 'Test message',
};

export function alertEventLabel(event: string): string {
  return EVENT_LABELS[event] ?? event;
}
