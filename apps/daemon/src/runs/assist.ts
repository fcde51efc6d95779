import type pg from 'pg';
import { currentFence } from '../locks/index.ts';
import { metrics } from '../observability/index.ts';
import type { PluginRegistry } from '../plugins/index.ts';
import { driveKeysetWork, type WorkSettings } from './chunk-driver.ts';
import { ChunkStats } from './chunk-stats.ts';
import { tablesOf } from './db-health.ts';
import { runbookPoolExecutor } from './plugin-executors.ts';
import { definitionForRun } from './revert/index.ts';
import { loadRunInput } from './run-input.ts';
import type { RunRepository } from './run-repository.ts';
import { WorkUnits } from './work-units.ts';

export interface AssistDeps {
  pool: pg.Pool;
  registry: PluginRegistry;
  runs: RunRepository;
  work: WorkSettings;
  workerName: string;
  /** Runs this process executes itself: its own workers are on them already. */
  isLocal(runId: string): boolean;
  ownerAlive(runId: string): Promise<boolean>;
  log(message: string): void;
}

/**
 * Lends this daemon's workers to runs that another process owns: they claim the same units, so
 * the run goes faster and every chunk is still written once. The owner keeps the run's locks, its
 * record and its progress; a helper only writes chunks, and stops when the run stops running
 * (pause, cancel, end) or its owner dies (the reaper then ends the run as interrupted).
 */
export class RunAssistant {
  private readonly helping = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: AssistDeps) {}

  /** Starts helping every running run of another process that has open units; returns their ids. */
  async assistRuns(): Promise<string[]> {
    if (this.stopping.signal.aborted) return [];
    const started: string[] = [];
    for (const runId of await new WorkUnits(this.deps.pool).runsWithOpenUnits()) {
      if (this.deps.isLocal(runId) || this.helping.has(runId)) continue;
      this.helping.set(
        runId,
        this.assist(runId).finally(() => this.helping.delete(runId)),
      );
      started.push(runId);
    }
    return started;
  }

  /** Helps one run until there is nothing left to claim. Never throws: a helper's trouble is logged. */
  async assist(runId: string): Promise<void> {
    const { deps } = this;
    try {
      const run = await deps.runs.get(runId);
      const loaded = deps.registry.runbooks.get(run.type);
      if (!loaded || run.status !== 'running') return;
      const def = definitionForRun(loaded, run, deps.pool); // a revert walks its journal, not the plugin
      // Helpers write under the owner's lease: a takeover (which bumps the fence) stops them too.
      const fence = await currentFence(deps.pool, runId);
      if (!fence) return;
      const stillWanted = async () => {
        const current = await deps.runs.get(runId);
        return (
          current.status === 'running' && current.requestedAction === null && (await deps.ownerAlive(runId))
        );
      };
      const signal = this.stopping.signal;
      const input = await loadRunInput(deps.pool, def, runId);
      await def.run(
        {
          db: runbookPoolExecutor(deps.pool, def.id, `runbook ${def.id}`),
          params: run.params,
          runId,
          ...(input ? { input } : {}),
          signal,
          resumeCursor: null,
          preflightAffectedCount: 0,
          log: () => {}, // the owner logs the run; a helper's copy would only repeat it
          runChunked: (work) =>
            driveKeysetWork(work, {
              pool: deps.pool,
              runbookId: def.id,
              runId,
              fence,
              role: 'helper',
              settings: deps.work,
              tables: tablesOf(def.resources ?? []),
              signal,
              workerName: deps.workerName,
              resume: { cursor: null, processed: 0, updated: 0, failures: [] },
              stats: new ChunkStats(),
              onProgress: async () => {},
              keepGoing: stillWanted,
              log: deps.log,
              // A helper's chunks count in this process's metrics like the owner's do in its own.
              observe: (chunk) => metrics.recordChunk(def.id, chunk),
            }),
        },
        run.scope,
      );
    } catch (error) {
      deps.log(`helping run ${runId} stopped: ${(error as Error).message}`);
    }
  }

  /** Daemon shutdown: helpers stop after their chunk. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.helping.values()]);
  }
}
