import { Badge, Tooltip } from '@fluentui/react-components';
import {
  ArrowSyncCircleRegular,
  BuildingMultipleRegular,
  BuildingRegular,
  CheckmarkCircleRegular,
  CheckmarkRegular,
  ClockRegular,
  DismissCircleRegular,
  ErrorCircleRegular,
  HourglassHalfRegular,
  PauseCircleRegular,
  SendRegular,
  ShieldErrorRegular,
  SkipForwardTabRegular,
  WarningRegular,
} from '@fluentui/react-icons';
import type { JSX } from 'react';
import type { DeliveryStatus, OccurrenceStatus, RunOutcome, RunScope, RunStatus } from '../api/types.ts';
import {
  type BadgeIconName,
  type BadgeSpec,
  deliveryBadge,
  occurrenceBadge,
  outcomeBadge,
  scopeLabel,
  statusBadge,
} from './badge-specs.ts';

const ICONS: Record<BadgeIconName, JSX.Element> = {
  clock: <ClockRegular />,
  running: <ArrowSyncCircleRegular />,
  pause: <PauseCircleRegular />,
  done: <CheckmarkRegular />,
  success: <CheckmarkCircleRegular />,
  warning: <WarningRegular />,
  error: <ErrorCircleRegular />,
  cancelled: <DismissCircleRegular />,
  pending: <HourglassHalfRegular />,
  send: <SendRegular />,
  skipped: <SkipForwardTabRegular />,
};

type BadgeKind = 'Status' | 'Outcome' | 'Delivery' | 'Occurrence';

function SpecBadge({ spec, kind }: { spec: BadgeSpec; kind: BadgeKind }) {
  return (
    <Tooltip content={`${kind}: ${spec.description}`} relationship="description" withArrow>
      <Badge
        appearance={spec.appearance}
        color={spec.color}
        icon={ICONS[spec.icon]}
        data-badge={kind.toLowerCase()}
        tabIndex={0}
        style={{ whiteSpace: 'nowrap' }}
      >
        {spec.label}
      </Badge>
    </Tooltip>
  );
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <SpecBadge spec={statusBadge(status)} kind="Status" />;
}

export function RunOutcomeBadge({ outcome }: { outcome: RunOutcome }) {
  return <SpecBadge spec={outcomeBadge(outcome)} kind="Outcome" />;
}

/** An alert delivery's status (run detail → Deliveries). */
export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <SpecBadge spec={deliveryBadge(status)} kind="Delivery" />;
}

/** How a schedule's tick ended (schedules → last occurrence). */
export function OccurrenceStatusBadge({ status }: { status: OccurrenceStatus }) {
  return <SpecBadge spec={occurrenceBadge(status)} kind="Occurrence" />;
}

/** Status and outcome side by side; the outcome only once there is one. */
export function RunStateBadges({ status, outcome }: { status: RunStatus; outcome: RunOutcome }) {
  return (
    <span style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap' }}>
      <RunStatusBadge status={status} />
      {outcome !== 'pending' && <RunOutcomeBadge outcome={outcome} />}
    </span>
  );
}

/** All tenants is the broad, risky scope: it gets the stronger colour. */
export function ScopeBadge({ scope }: { scope: RunScope | null | undefined }) {
  const all = !scope || scope.kind === 'all';
  return (
    <Badge
      appearance="tint"
      color={all ? 'important' : 'brand'}
      icon={all ? <BuildingMultipleRegular /> : <BuildingRegular />}
      data-badge="scope"
      // A scope is read as one token; a pill broken over two lines reads as two.
      style={{ whiteSpace: 'nowrap' }}
    >
      {scopeLabel(scope)}
    </Badge>
  );
}

/** Marks a run or actor that acted under break-glass. */
export function BreakGlassBadge({ reason }: { reason?: string | undefined }) {
  return (
    <Tooltip
      content={reason ? `Break-glass: ${reason}` : 'Started under break-glass'}
      relationship="description"
    >
      <Badge
        appearance="filled"
        color="danger"
        icon={<ShieldErrorRegular />}
        tabIndex={0}
        data-badge="break-glass"
      >
        Break-glass
      </Badge>
    </Tooltip>
  );
}
