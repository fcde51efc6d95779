import type { RunProgress } from '../runs/index.ts';
import { formatCount } from './output.ts';

const WIDTH = 28;

function formatDuration(seconds: number | null): string {
  if (seconds === null) return '--';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(seconds % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One line: bar, processed / total, rate and ETA, and why the workers wait when they do. */
export function renderProgress(p: RunProgress): string {
  const ratio = p.total > 0 ? Math.min(1, p.processed / p.total) : 0;
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
  const line = `${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${formatCount(p.processed)} / ${formatCount(p.total)}  ${formatCount(p.updated)} updated  ${formatCount(p.rowsPerSecond)} rows/s  ETA ${formatDuration(p.etaSeconds)}`;
  return p.throttled ? `${line}  throttled: ${p.throttled}` : line;
}

/** Redraws the line in place on a TTY at most every 100 ms. */
export function ttyProgress(stream: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  return {
    update(p: RunProgress) {
      const now = Date.now();
      if (now - last < 100 && p.processed < p.total) return;
      last = now;
      stream.write(`\r${renderProgress(p)}\x1b[K`);
    },
    end() {
      if (last > 0) stream.write('\n');
    },
  };
}
