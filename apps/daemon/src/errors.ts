/**
 * The closed set of business errors. Each is translated to a CLI exit code in one place
 * (cli/exit-codes.ts) and, with the API, to one tRPC code.
 */
export class OpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: names the field and the rule it breaks. */
export class InputError extends OpsError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends OpsError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotAllowedError extends OpsError {
  constructor(
    readonly capability: string,
    message = `missing capability ${capability}`,
  ) {
    super(message);
  }
}

/** Another run holds a lock this one needs. */
export class ConflictError extends OpsError {
  constructor(
    message: string,
    readonly holder?: { runId: string; actor: string; startedAt: string | null } | null,
  ) {
    super(message);
  }
}

/** Preflight found nothing to change: refused so no empty run is recorded. */
export class NothingToDoError extends OpsError {
  constructor(
    readonly runbookId: string,
    readonly scope: unknown,
  ) {
    super('nothing to do: preflight found 0 affected rows');
  }
}

/**
 * The run needs a second operator's approval (approvals/policy.ts): nothing was started. The
 * message says how to get one; `exec` exits 6 with it.
 */
export class ApprovalRequiredError extends OpsError {
  constructor(
    message: string,
    readonly runbookId: string,
  ) {
    super(message);
  }
}

export class DatabaseUnavailableError extends OpsError {}

/** A limit of this daemon is reached (e.g. concurrent preflights): nothing was done; try again later. */
export class BusyError extends OpsError {}
