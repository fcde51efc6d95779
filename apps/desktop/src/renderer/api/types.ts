import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './app-router.ts';

// The console's data types, read off the API so they cannot drift from what the daemon sends.
type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type Me = Outputs['me']['get'];
export type BreakGlass = NonNullable<Me['breakGlass']>;
export type Runbook = Outputs['runbooks']['list'][number];
export type LastRun = NonNullable<Runbook['lastRun']>;
export type PreflightResult = Outputs['runbooks']['preflight'];
export type RunRecord = Outputs['runs']['get'];
export type RunStatus = RunRecord['status'];
export type RunOutcome = RunRecord['outcome'];
export type RunScope = RunRecord['scope'];
export type RunActor = RunRecord['actor'];
export type RunPage = Outputs['runs']['list'];
export type AuditEvent = Outputs['audit']['list']['items'][number];
export type AppNotification = Outputs['notifications']['list']['items'][number];
export type Tenant = Outputs['tenants']['search'][number];
export type RunRequest = Inputs['runbooks']['run'];
export type ScopeInput = RunRequest['scope'];
export type ReasonCode = NonNullable<RunRequest['reasonCode']>;
export type RunbookParameter = Runbook['parameters'][number];
export type ParameterKind = RunbookParameter['kind'];
export type PreflightEstimate = NonNullable<Outputs['runbooks']['estimate']['estimate']>;
/** Rehearse with a diff (issue 14): sampled rows a run would change, one per changed field. */
export type ChangeSample = NonNullable<Outputs['runbooks']['diff']['diff']>;

export type Schedule = Outputs['schedules']['list'][number];
export type ScheduleMode = Schedule['mode'];
export type ScheduleOccurrence = NonNullable<Schedule['lastOccurrence']>;
export type OccurrenceStatus = ScheduleOccurrence['status'];
export type ScheduleCreateInput = Inputs['schedules']['create'];
export type ScheduleUpdateInput = Inputs['schedules']['update'];

export type AlertDestination = Outputs['alerts']['list'][number];
export type DestinationKind = AlertDestination['kind'];
export type DestinationCreateInput = Inputs['alerts']['create'];
export type DestinationUpdateInput = Inputs['alerts']['update'];
export type AlertDelivery = Outputs['alerts']['deliveries'][number];
export type DeliveryStatus = AlertDelivery['status'];
