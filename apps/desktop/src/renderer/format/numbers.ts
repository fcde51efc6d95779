const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? integer.format(n) : '—';
}

/** A number as entered or configured (a parameter's bound): decimals kept. */
export function formatNumber(n: number): string {
  return decimal.format(n);
}

export function formatPercent(fraction: number): string {
  return percent.format(Math.min(1, Math.max(0, fraction)));
}

/** "1 finding" / "1,204 findings". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
