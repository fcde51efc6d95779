/**
 * An identifier as a label: "dryRun" → "Dry run", "max_rows" → "Max rows". Runbook parameters are
 * named by plugin authors in code; operators read words.
 */
export function humanizeIdentifier(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}
