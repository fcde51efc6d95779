import type { Command } from './command.ts';

/**
 * Every command and subcommand of `ops-daemon`, as data: what `--help` prints and what the usage
 * errors quote. Kept free of imports, so `--help` (and `help`) load no command module, no database
 * driver and no plugin.
 */
export interface CommandHelp {
  usage: string;
  summary: string;
  /** Each option as typed, and what it does. */
  options: [flag: string, text: string][];
}

export interface CommandEntry extends CommandHelp {
  /** Subcommands (`runs list`, `runs show`), each with its own help. */
  subcommands?: Record<string, CommandHelp>;
  /** Loaded on demand: `exec` in a deploy pipeline must not pay for the console's server. */
  load(): Promise<Command>;
}

const JSON_OPTION: [string, string] = ['--json', 'JSON lines; the last line is the result object'];
const TENANT_OPTION: [string, string] = [
  '--tenant <external_id>',
  'one tenant (its external id, e.g. tenant-1); all tenants when left out',
];
const PARAM_OPTION: [string, string] = [
  '--param name=value',
  "a runbook parameter (repeatable); `ops-daemon runbooks` lists each runbook's parameters",
];
const INPUT_OPTION: [string, string] = [
  '--input <file.csv>',
  'the CSV file of a runbook that takes one (`ops-daemon runbooks` lists its columns); checked by line and column',
];

export const COMMANDS: Record<string, CommandEntry> = {
  serve: {
    usage: 'serve [--host 127.0.0.1] [--port 7400] [--demo]',
    summary:
      'migrates, then serves the API and the console under /system (--demo: demo data and accounts on first start, ' +
      'alert destinations on private addresses allowed unless OPS_ALERT_ALLOW_PRIVATE_HOSTS is set)',
    options: [
      ['--host <address>', 'the address to listen on (default OPS_HOST, else 127.0.0.1)'],
      ['--port <port>', 'the port to listen on; 0 picks a free one (default OPS_PORT, else 7400)'],
      ['--demo', 'seeds demo data and the demo accounts when the database has none'],
    ],
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  migrate: {
    usage: 'migrate [--print-sql] [--json]',
    summary:
      'applies pending migrations and plugin roles and exits (--print-sql: the roles and run journal SQL for a DBA)',
    options: [
      [
        '--print-sql',
        "prints the plugin roles' and the run journal's SQL for a DBA to run once, and changes nothing",
      ],
      JSON_OPTION,
    ],
    load: async () => (await import('./commands/migrate.ts')).migrateCommand,
  },
  seed: {
    usage: 'seed [--tenants 50] [--findings 20000] [--drift 0.3] [--seed 1] [--json]',
    summary:
      'demo data per findings-lifecycle.md (deterministic for a --seed) and the demo accounts; adds only what ' +
      'is missing: tenants that exist keep their findings, a larger --tenants adds the tenants after them',
    options: [
      ['--tenants <n>', 'customer tenants tenant-1 … tenant-n (default 50)'],
      ['--findings <n>', 'findings shared among the tenants seeded now (default 20000)'],
      ['--drift <0..1>', 'the share of findings whose lifecycle fields are wrong (default 0.3)'],
      ['--seed <n>', 'the random seed: the same seed on an empty database gives the same rows (default 1)'],
      JSON_OPTION,
    ],
    load: async () => (await import('./commands/seed.ts')).seedCommand,
  },
  runbooks: {
    usage: 'runbooks [--json]',
    summary: 'the runbook catalog with each runbook’s last run, and plugins that could not be loaded and why',
    options: [JSON_OPTION],
    load: async () => (await import('./commands/runbooks.ts')).runbooksCommand,
  },
  preflight: {
    usage:
      'preflight <runbook-id> [--tenant <external_id>] [--param name=value]... [--input file.csv] [--diff <n>] [--json]',
    summary: 'read-only: how many rows the runbook would change, and where',
    options: [
      TENANT_OPTION,
      PARAM_OPTION,
      INPUT_OPTION,
      [
        '--diff <n>',
        'also a sample of up to n (1–100) rows it would change, each changed field before → after (a runbook with sampleChanges)',
      ],
      JSON_OPTION,
    ],
    load: async () => (await import('./commands/preflight.ts')).preflightCommand,
  },
  exec: {
    usage:
      'exec <runbook-id> [--tenant <external_id>] [--reason-code CODE] [--reason-text TEXT] [--confirm PHRASE] [--param name=value]... [--input file.csv] [--approval <request-id>] [--json]',
    summary: 'runs a runbook through the run service (record, lock, audit); for deploy pipelines',
    options: [
      TENANT_OPTION,
      ['--reason-code <code>', 'DATA_REPAIR, INCIDENT, SUPPORT or SECURITY; required for all tenants'],
      ['--reason-text <text>', 'why, in at most 500 characters; required for all tenants'],
      [
        '--confirm <phrase>',
        "the runbook's confirmation phrase (BACKFILL); asked for on a terminal when left out",
      ],
      PARAM_OPTION,
      INPUT_OPTION,
      [
        '--approval <request-id>',
        "an approved run request for this very run (same runbook, scope, parameters); needed when the runbook's approval policy holds the run (exit 6 without it) unless the policy exempts OPS_DEPLOY_IDENTITY",
      ],
      ['--json', 'progress as JSON lines; the last line is the result ({"run_id", "outcome", "summary", …})'],
    ],
    load: async () => (await import('./commands/exec.ts')).execCommand,
  },
  revert: {
    usage: 'revert <run-id> --reason-code CODE --reason-text TEXT --confirm REVERT [--json]',
    summary:
      'reverts an ended run of a reversible runbook with a run of its own: restores each row the run changed ' +
      'that still holds what the run wrote, and lists the rows it skipped because they changed since',
    options: [
      ['--reason-code <code>', 'DATA_REPAIR, INCIDENT, SUPPORT or SECURITY (required)'],
      ['--reason-text <text>', 'why, in at most 500 characters (required)'],
      ['--confirm REVERT', 'the confirmation phrase, typed exactly (required)'],
      ['--json', 'progress as JSON lines; the last line is the result, with `reverts_run_id` and `skipped`'],
    ],
    load: async () => (await import('./commands/revert.ts')).revertCommand,
  },
  runs: {
    usage: 'runs list [--runbook ID] [--status S] [--limit N] [--json] | runs show <run-id> [--json]',
    summary: 'recent runs (newest first), or one run record',
    options: [],
    subcommands: {
      list: {
        usage: 'runs list [--runbook ID] [--status S] [--limit N] [--json]',
        summary: 'recent runs, newest first',
        options: [
          ['--runbook <id>', "only this runbook's runs"],
          ['--status <status>', 'only runs in this status: queued, running, paused or completed'],
          ['--limit <n>', 'at most n runs, 1 to 500 (default 20)'],
          ['--json', '{"items": [run records]}, keys in snake_case as the run record'],
        ],
      },
      show: {
        usage: 'runs show <run-id> [--json]',
        summary: 'one run record: status, outcome, scope, actor, reason, summary, failures',
        options: [['--json', 'the run record, keys in snake_case (created_at, break_glass, reason_code, …)']],
      },
    },
    load: async () => (await import('./commands/runs.ts')).runsCommand,
  },
  operator: {
    usage:
      'operator add --email E --password P [--capability C]... [--name N] [--plane platform|tenant] [--json]',
    summary: 'creates or updates an account (capabilities replace the old ones)',
    options: [],
    subcommands: {
      add: {
        usage:
          'operator add --email E --password P [--capability C]... [--name N] [--plane platform|tenant] [--json]',
        summary: 'creates or updates a platform operator (capabilities replace the old ones)',
        options: [
          ['--email <e-mail>', 'the account to create or update (required)'],
          ['--password <password>', 'its password (required)'],
          ['--capability <c>', 'a capability such as platform.runbooks.run (repeatable)'],
          ['--name <name>', 'the name shown in the console'],
          ['--plane <plane>', 'platform (default) or tenant'],
          JSON_OPTION,
        ],
      },
    },
    load: async () => (await import('./commands/operator.ts')).operatorCommand,
  },
  plugins: {
    usage:
      'plugins check <path> | plugins new <dir> --id <runbook.id> | plugins add <folder> | plugins remove <folder> | plugins list [--json]',
    summary:
      'validates a plugin without starting anything, writes a new one with a passing test, or registers plugin folders the daemon loads',
    options: [],
    subcommands: {
      check: {
        usage: 'plugins check <path> [--json]',
        summary:
          'loads the plugin folder at <path> as the daemon would, and says whether its definition is valid (its runs: its own test)',
        options: [JSON_OPTION],
      },
      new: {
        usage: 'plugins new <dir> --id <runbook.id> [--json]',
        summary:
          'writes a new plugin with a passing test into <dir> (outside the repository: the SDK from its tarball, no registry) and prints the next commands',
        options: [['--id <runbook.id>', 'the runbook id, dotted lower-case words (required)'], JSON_OPTION],
      },
      add: {
        usage: 'plugins add <folder> [--json]',
        summary:
          'registers a plugin folder in OPS_DATA_DIR/plugins.json: serve and every command with that data folder load it',
        options: [JSON_OPTION],
      },
      remove: {
        usage: 'plugins remove <folder> [--json]',
        summary: 'unregisters a plugin folder',
        options: [JSON_OPTION],
      },
      list: {
        usage: 'plugins list [--json]',
        summary:
          "the plugin folders the daemon loads: the repository's plugins/, OPS_PLUGINS, then registered ones",
        options: [JSON_OPTION],
      },
    },
    load: async () => (await import('./commands/plugins.ts')).pluginsCommand,
  },
  secrets: {
    usage: 'secrets status [--json] | secrets rotate --from-env <VAR> [--json]',
    summary: 'alert destination secrets, sealed with AES-256-GCM: which key seals them, and rotating the key',
    options: [],
    subcommands: {
      status: {
        usage: 'secrets status [--json]',
        summary: 'which key seals the stored alert secrets, and how many are still plain text',
        options: [JSON_OPTION],
      },
      rotate: {
        usage: 'secrets rotate --from-env <VAR> [--json]',
        summary:
          're-seals every secret from the old key (in environment variable <VAR>) to the current one ' +
          '(OPS_ALERT_SECRET_KEY, else OPS_SECRET), all or none; restart the daemons with the new key afterwards',
        options: [
          ['--from-env <VAR>', 'the environment variable holding the old key (required)'],
          JSON_OPTION,
        ],
      },
    },
    load: async () => (await import('./commands/secrets.ts')).secretsCommand,
  },
  audit: {
    usage: 'audit verify [--json] | audit export [--out <file>]',
    summary:
      'the audit trail as a hash chain (docs/audit-chain.md): check it end to end, or export it for an auditor',
    options: [],
    subcommands: {
      verify: {
        usage: 'audit verify [--json]',
        summary:
          'checks every event against its hash and its predecessor; exits 1 naming the first broken event, ' +
          '0 with "verified N events through #seq"',
        options: [JSON_OPTION],
      },
      export: {
        usage: 'audit export [--out <file>]',
        summary:
          'writes the chain as JSON lines, one event a line in seq order (docs/verify-audit-chain.mjs checks it)',
        options: [['--out <file>', 'a new file to write (default: standard output)']],
      },
    },
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
};

const EXIT_CODES =
  'Exit codes: 0 ok (also nothing to do), 1 run failed, 2 bad input, 3 lock held, 4 partially succeeded, 5 database unreachable';

const ENVIRONMENT =
  'Environment: DATABASE_URL (unset: an embedded PostgreSQL in OPS_DATA_DIR, default ./.ops-data), ' +
  'OPS_PORT and OPS_HOST (serve), OPS_PLUGINS (plus folders registered with plugins add); see the README';

/** The usage line of a command or subcommand (`runs list`), as errors quote it. */
export function usageOf(name: string): string {
  const [command, sub] = name.split(' ');
  const entry = COMMANDS[command!]!;
  return (sub ? entry.subcommands?.[sub]?.usage : undefined) ?? entry.usage;
}

function formatOptions(options: [string, string][]): string[] {
  const all: [string, string][] = [...options, ['-h, --help', 'this help']];
  const width = Math.max(...all.map(([flag]) => flag.length));
  return all.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

/** `ops-daemon` alone or `ops-daemon help`: every command with its summary. */
export function overviewHelp(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ops-daemon ${c.usage}\n      ${c.summary}`);
  return [
    'ops-daemon: safe, audited data repair runbooks',
    '',
    'Commands (`ops-daemon <command> --help` for one):',
    ...lines,
    '',
    EXIT_CODES,
    ENVIRONMENT,
  ].join('\n');
}

/**
 * The help of `name` (and of its subcommand `sub` when it has one by that name): usage, what it
 * does, its options. Null for an unknown command.
 */
export function commandHelp(name: string, sub?: string): string | null {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name]! : null;
  if (!entry) return null;
  const subHelp = sub !== undefined && entry.subcommands ? entry.subcommands[sub] : undefined;
  if (subHelp) {
    return [
      `usage: ops-daemon ${subHelp.usage}`,
      '',
      subHelp.summary,
      '',
      'Options:',
      ...formatOptions(subHelp.options),
      '',
      EXIT_CODES,
    ].join('\n');
  }
  const subs = Object.entries(entry.subcommands ?? {}).map(
    ([, s]) => `  ops-daemon ${s.usage}\n      ${s.summary}`,
  );
  return [
    `usage: ops-daemon ${entry.usage}`,
    '',
    entry.summary,
    ...(subs.length
      ? ['', `Subcommands (\`ops-daemon ${name} <subcommand> --help\` for one):`, ...subs]
      : []),
    '',
    'Options:',
    ...formatOptions(entry.options),
    '',
    EXIT_CODES,
  ].join('\n');
}

/** Whether argv asks for help: `-h` or `--help` anywhere before a `--`. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
