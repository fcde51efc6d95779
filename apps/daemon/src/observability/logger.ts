import { createRequire } from 'node:module';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import type { OpsConfig } from '../config.ts';
import type { LogLevel } from './log-levels.ts';
import { REDACTED_KEYS, scrub, secretValuesOf } from './redaction.ts';

export type { Logger } from 'pino';

export { LOG_LEVELS, type LogLevel } from './log-levels.ts';

export interface LoggerSettings {
  level: LogLevel;
  /** Where lines go: a stream (process.stderr), or a function receiving each finished line. */
  destination: NodeJS.WritableStream | ((line: string) => void);
  /** JSON lines (for a log shipper) or readable lines (a person at a terminal). */
  format: 'json' | 'pretty';
  /** Values that must never appear in a line (secretValuesOf). */
  secrets: readonly string[];
}

/** JSON when the stream is not a terminal, readable when it is. */
export function formatFor(stream: { isTTY?: boolean }): 'json' | 'pretty' {
  return stream.isTTY ? 'pretty' : 'json';
}

type Pino = typeof import('pino');

let pinoModule: Pino | undefined;
/**
 * pino, loaded on first use (synchronously: a line is written when it is logged). Loading it costs a
 * command 0.1 s or more on a busy machine, and a command at its default level (warn) mostly logs
 * nothing: it never pays that.
 */
function loadPino(): Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as Pino;
  return pinoModule;
}

const LEVEL_VALUES: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};
const ignore = () => {};

/**
 * A logger that creates its pino logger (`make`) only when a line at an enabled level is logged or
 * anything else of pino's is asked for; until then a line below `level` is dropped and `child()`
 * gives another deferred logger. Once made, everything is the pino logger's own.
 */
function deferred(level: string, make: () => Logger): Logger {
  let made: Logger | undefined;
  const real = () => {
    made ??= make();
    return made;
  };
  const own = (logger: Logger, prop: string | symbol) => {
    const value = Reflect.get(logger, prop, logger) as unknown;
    return typeof value === 'function' ? value.bind(logger) : value;
  };
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info!;
  return new Proxy({} as Logger, {
    get(_, prop) {
      if (made) return own(made, prop);
      if (prop === 'level') return level;
      if (prop === 'isLevelEnabled') return (l: string) => (LEVEL_VALUES[l] ?? 0) >= threshold;
      if (prop === 'child')
        return (bindings: Record<string, unknown>, options?: { level?: string }) =>
          deferred(options?.level ?? level, () => real().child(bindings, options as never));
      if (typeof prop === 'string' && prop !== 'silent' && prop in LEVEL_VALUES) {
        if (LEVEL_VALUES[prop]! < threshold) return ignore;
        return (...args: unknown[]) => (real()[prop as 'info'] as (...a: unknown[]) => void)(...args);
      }
      return own(real(), prop);
    },
    set(_, prop, value) {
      return Reflect.set(real(), prop, value);
    },
    has(_, prop) {
      return prop in real();
    },
  });
}

/**
 * The daemon's logger: pino, synchronous (a line is written before the process may exit; no
 * transport, so no worker thread), with secret-holding keys censored and every finished line
 * scrubbed of the configured secrets. pino itself is loaded at the first line logged (deferred).
 */
export function createLogger(settings: LoggerSettings): Logger {
  return deferred(settings.level, () => pinoLogger(settings));
}

function pinoLogger(settings: LoggerSettings): Logger {
  const { pino } = loadPino();
  const write =
    typeof settings.destination === 'function'
      ? settings.destination
      : (line: string) => (settings.destination as NodeJS.WritableStream).write(line);
  const stream: DestinationStream = {
    write(line: string) {
      const clean = scrub(line, settings.secrets);
      write(settings.format === 'pretty' ? readable(clean) : clean);
    },
  };
  const options: LoggerOptions = {
    level: settings.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_KEYS, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options, stream);
}

/** A logger that writes nothing (library use without a logger, and tests that pass none). */
export function silentLogger(): Logger {
  return deferred('silent', () => loadPino().pino({ level: 'silent' }));
}

/**
 * A line's own fields: `event` gives the lines an operator alerts on a stable name (README, "Logs
 * and metrics"), `level` raises it above the log's own level (a failure), the rest are data.
 */
export interface LineFields {
  event?: string;
  level?: 'info' | 'warn' | 'error';
  [field: string]: unknown;
}

/** The `log(message)` shape many modules take; a plain `(message) => void` is one (fields ignored). */
export type LineLog = (message: string, fields?: LineFields) => void;

/**
 * The old `log(message)` shape many modules take, on top of a logger: lines at `level`, with the
 * fields given (component), so those modules log structured lines without changing them; a line's
 * own fields (its event) go with it.
 */
export function lineLog(
  logger: Logger,
  fields: Record<string, unknown> = {},
  level: 'info' | 'warn' | 'error' = 'info',
): LineLog {
  const child = Object.keys(fields).length ? logger.child(fields) : logger;
  return (message, own) => {
    if (!own) return child[level](message);
    const { level: lineLevel = level, ...rest } = own;
    child[lineLevel](rest, message);
  };
}

/** Every line about a run carries its id, runbook and scope. */
export function runLogger(
  logger: Logger,
  run: { id: string; type: string; scope?: unknown; scope_kind?: string },
): Logger {
  return logger.child({ run_id: run.id, runbook: run.type, scope: scopeLabel(run.scope) });
}

function scopeLabel(scope: unknown): string {
  const s = scope as { kind?: string; tenantId?: unknown; externalId?: unknown } | undefined;
  if (!s?.kind) return 'unknown';
  if (s.kind === 'all') return 'all';
  return `tenant:${String(s.externalId ?? s.tenantId ?? '?')}`;
}

const KNOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** `12:00:01.234 INFO  run 42 started  run_id=42 runbook=x` for a terminal. */
function readable(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const rest = Object.entries(entry)
    .filter(([k]) => !KNOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${String(entry.msg ?? '')}${rest ? `  ${rest}` : ''}\n`;
}

/**
 * A logger handing each line's message to `log` (callers and tests that pass the old
 * `log(message)` option): the message only, scrubbed like every line.
 */
export function linesLogger(log: (message: string) => void, level: LogLevel = 'info'): Logger {
  return createLogger({
    level,
    format: 'json',
    secrets: [],
    destination: (line) => {
      try {
        log(String((JSON.parse(line) as { msg?: unknown }).msg ?? ''));
      } catch {
        log(line);
      }
    },
  });
}

/** The logger of a process: level and secrets from its configuration, lines on stderr. */
export function processLogger(
  config: OpsConfig,
  defaultLevel: LogLevel,
  stream: NodeJS.WriteStream = process.stderr,
): Logger {
  return createLogger({
    level: config.logLevel ?? defaultLevel,
    destination: stream,
    format: formatFor(stream),
    secrets: secretValuesOf({ ...config, metricsToken: config.metrics.token }),
  });
}
