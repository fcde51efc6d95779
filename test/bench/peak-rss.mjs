// Preloaded into an ops-daemon process by the benchmark (`node --import`): at exit, reports the
// process's peak resident set size on stderr, where the benchmark reads it. process.exit runs
// 'exit' listeners synchronously, so the line is written even though the CLI exits explicitly.
import fs from 'node:fs';

process.on('exit', () => {
  fs.writeSync(2, `\n@@peak_rss_kb=${process.resourceUsage().maxRSS}\n`);
});
