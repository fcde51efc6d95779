export { type Notification, NotificationStore } from './notification-store.ts';
