/**
 * The shape every benchmark reports, ratios to the in-run baseline, the
 * combined table, and the results file (bench/results/latest.json), which is
 * merged per benchmark so a benchmark run alone replaces only its own entry.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatMarkdownTable, formatNumber, formatRatio, formatTable, type Align } from './format.ts';
import { BENCH_DIR } from './proc.ts';
import type { MachineInfo } from './sysinfo.ts';
import { max, median, min } from './stats.ts';

export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const LATEST_FILE = path.join(RESULTS_DIR, 'latest.json');
export const SMOKE_FILE = path.join(RESULTS_DIR, 'smoke.json');

export interface BenchRow {
  /** What is measured, e.g. "256 KiB" or "/healthz". */
  case: string;
  /** Who is measured, e.g. "ws-raw" or "sharethings". */
  variant: string;
  /** Unit of `median` and `runs`, e.g. "MB/s" or "req/s" (higher is better). */
  unit: string;
  median: number;
  runs: number[];
  /** True for the row every other row of the same case is compared with. */
  baseline: boolean;
  /** median / the baseline's median for the same case (null when there is no baseline). */
  ratio: number | null;
  /** Secondary figures (medians over runs), e.g. messages/s, CPU use, peak RSS. */
  details: Record<string, number | null>;
  /** The details as a short human-readable string for the table. */
  detailText: string;
}

export interface BenchReport {
  bench: string;
  title: string;
  smoke: boolean;
  startedAt: string;
  durationMs: number;
  command: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  baselineVariant: string;
  variants: string[];
  cases: string[];
  rows: BenchRow[];
  notes: string[];
}

/** Builds a row from its runs (ratio filled in by addRatios). */
export function makeRow(fields: Omit<BenchRow, 'median' | 'ratio'>): BenchRow {
  return { ...fields, median: median(fields.runs), ratio: null };
}

/** Fills in each row's ratio to the baseline row of the same case. */
export function addRatios(rows: BenchRow[]): BenchRow[] {
  return rows.map((row) => {
    const baseline = rows.find((other) => other.case === row.case && other.baseline);
    return { ...row, ratio: baseline && baseline.median > 0 ? row.median / baseline.median : null };
  });
}

const HEADERS = ['bench', 'case', 'variant', 'median', 'unit', 'vs baseline', 'runs (min-max)', 'details'];
const ALIGN: Align[] = ['left', 'left', 'left', 'right', 'left', 'right', 'right', 'left'];

function tableRows(reports: readonly BenchReport[]): string[][] {
  return reports.flatMap((report) =>
    report.rows.map((row) => [
      report.bench,
      row.case,
      row.baseline ? `${row.variant} (baseline)` : row.variant,
      formatNumber(row.median),
      row.unit,
      row.baseline ? '1.00x' : formatRatio(row.ratio),
      row.runs.length > 1 ? `${formatNumber(min(row.runs))}-${formatNumber(max(row.runs))} (n=${row.runs.length})` : `n=${row.runs.length}`,
      row.detailText,
    ]),
  );
}

export function reportTable(reports: readonly BenchReport[]): string {
  return formatTable(HEADERS, tableRows(reports), ALIGN);
}

export function reportMarkdown(reports: readonly BenchReport[]): string {
  return formatMarkdownTable(HEADERS, tableRows(reports), ALIGN);
}

export interface ResultsFile {
  updatedAt: string;
  benchmarks: Record<string, BenchReport>;
}

/** Merges the reports into `file` (replacing entries of the same benchmarks) and returns the path. */
export async function writeResults(reports: readonly BenchReport[], file: string): Promise<string> {
  let existing: ResultsFile = { updatedAt: '', benchmarks: {} };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<ResultsFile>;
    if (parsed && typeof parsed.benchmarks === 'object' && parsed.benchmarks !== null) {
      existing = { updatedAt: parsed.updatedAt ?? '', benchmarks: parsed.benchmarks };
    }
  } catch {
    // no file yet, or unreadable: start over
  }
  for (const report of reports) existing.benchmarks[report.bench] = report;
  existing.updatedAt = new Date().toISOString();
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(existing, null, 2)}\n`);
  await rename(temporary, file);
  return file;
}
