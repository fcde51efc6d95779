import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../api/app-router.ts';

// Read off the API, like api/types.ts, so they cannot drift from what the daemon sends.
type Outputs = inferRouterOutputs<AppRouter>;
export type ApprovalRequest = Outputs['approvals']['get'];
export type ApprovalPolicy = Outputs['approvals']['policies'][number];
export type RequestStatus = ApprovalRequest['status'];
export type ApprovalMode = ApprovalPolicy['mode'];
