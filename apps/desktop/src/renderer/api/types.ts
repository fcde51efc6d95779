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
