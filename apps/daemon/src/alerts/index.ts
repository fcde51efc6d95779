export { type Alerting, type AlertingOptions, createAlerting, envDestinations } from './alerting.ts';
export {
  AlertsService,
  type Caller,
  type DestinationUpdate,
  type DestinationView,
  type NewDestinationInput,
} from './alerts-service.ts';
export { Announcer } from './announcer.ts';
export {
  DELIVERY_STATUSES,
  DELIVERY_TRANSITIONS,
  type DeliveryStatus,
  MAX_ATTEMPTS,
} from './delivery-state.ts';
export type { DeliveryAttempt, DeliveryRecord } from './delivery-store.ts';
export type { AttemptOutcome } from './delivery-worker.ts';
export {
  destinationNameSchema,
  emailAddressSchema,
  recipientsSchema,
  smtpUrlSchema,
  webhookUrlSchema,
} from './destination-rules.ts';
export { DESTINATION_KINDS, type DestinationKind } from './destination-store.ts';
export { announceAndDeliverOnce, type FirstDeliveryResult } from './first-delivery.ts';
export { ALERT_EVENTS, type AlertEvent } from './messages.ts';
