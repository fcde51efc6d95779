import path from 'node:path';
import { z } from 'zod';

/** Environment, parsed once at start-up; a bad value stops the daemon naming the variable. */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  OPS_DATA_DIR: z.string().min(1).default('./.ops-data'),
  OPS_PORT: z.coerce.number().int().min(1).max(65535).default(7400),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  OPS_PLUGINS: z.string().optional(),
  OPS_HEARTBEAT_MS: z.coerce.number().int().min(100).default(2000),
  OPS_CHUNK_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  OPS_PUBLIC_URL: z.string().url('must be a URL like https://ops.example.com').optional(),
  OPS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  OPS_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('ops-demo-password'),
  OPS_BREAKGLASS_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
});

export interface OpsConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  extraPlugins: string[];
  heartbeatMs: number;
  chunkSize: number;
  publicUrl: string | undefined;
  secret: string | undefined;
  demoPassword: string;
  breakGlassMinutes: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  // An empty variable (`DATABASE_URL=`) means unset, as in most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.OPS_DATA_DIR),
    port: e.OPS_PORT,
    host: e.OPS_HOST,
    extraPlugins: (e.OPS_PLUGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    heartbeatMs: e.OPS_HEARTBEAT_MS,
    chunkSize: e.OPS_CHUNK_SIZE,
    publicUrl: e.OPS_PUBLIC_URL?.replace(/\/$/, ''),
    secret: e.OPS_SECRET,
    demoPassword: e.OPS_DEMO_PASSWORD,
    breakGlassMinutes: e.OPS_BREAKGLASS_MINUTES,
  };
}
