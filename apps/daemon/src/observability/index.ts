export {
  createLogger,
  formatFor,
  type LineFields,
  type LineLog,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  lineLog,
  linesLogger,
  processLogger,
  runLogger,
  silentLogger,
} from './logger.ts';
export * as metrics from './metrics.ts';
export { METRICS_PATH, SYSTEM_METRICS_PATH, sendMetrics, startMetricsListener } from './metrics-http.ts';
export { scrub, secretValuesOf } from './redaction.ts';
