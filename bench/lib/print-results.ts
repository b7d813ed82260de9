/**
 * Prints a results file (default bench/results/latest.json) as Markdown, for
 * bench/RESULTS.md: per benchmark, when and how it ran, then one table.
 *
 *   npx tsx bench/lib/print-results.ts [FILE]
 */
import { readFile } from 'node:fs/promises';
import { LATEST_FILE, reportMarkdown, type ResultsFile } from './report.ts';

const file = process.argv[2] ?? LATEST_FILE;
const results = JSON.parse(await readFile(file, 'utf8')) as ResultsFile;
const reports = Object.values(results.benchmarks);
for (const report of reports) {
  const m = report.machine;
  process.stdout.write(
    `- **${report.bench}**: ${report.startedAt} (${(report.durationMs / 1000).toFixed(0)} s), \`${report.command}\`; ` +
      `${m.cores} cores ${m.cpuModel}, Node ${m.node}, bufferutil ${m.bufferutil.native ? 'native' : 'NOT native'}, ` +
      `load at start ${m.loadAverage.join(' ')}, commit ${m.commit ?? '?'}\n`,
  );
}
process.stdout.write(`\n${reportMarkdown(reports)}\n`);
for (const report of reports) for (const note of report.notes) process.stdout.write(`\n- ${report.bench}: ${note}`);
process.stdout.write('\n');
