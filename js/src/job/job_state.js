// What a map job's progress shows, decided without a DOM from the job widget's traits (job_widget.py): a pure
// function, tested in node. job_view.js applies it.
import { formatCost, formatCount } from "../ui/tokens.js";

/**
 * @typedef {{total?: number, done?: number, failed?: number, running?: number, queued?: number, stopped?: number,
 *   refusals?: number, elapsed?: number, rate?: number, eta?: number | null, input_tokens?: number,
 *   output_tokens?: number, cost?: number | null, projected_cost?: number | null, max_cost?: number | null,
 *   in_flight_limit?: number, state?: string, resumable?: boolean, batch_ids?: string[],
 *   batch_status?: string | null, from_store?: number, saved?: number}} Progress
 * @typedef {{index: number, item: string, status: string, values?: string[], error?: string | null}} Row
 *   one item of the window the kernel sends, numbered by its index in `job.results`
 * @typedef {{kind: string, count: number, example: string}} ErrorGroup
 * @typedef {{index: number, item: string, status: string, cells: string[], note: string | null}} ShownRow
 *   `cells` (one per column) once the item is done; else `note` says what it is waiting for or why it failed
 */

const STATE_LABELS = /** @type {Record<string, string>} */ ({
  running: "Running", done: "Done", stopped: "Stopped", max_cost: "Stopped at max_cost",
});

const WAITING = /** @type {Record<string, string>} */ ({ queued: "queued", running: "running…", stopped: "not run" });

/**
 * A duration in words: "12 s", "1 min 42 s", "2 h 03 min".
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * @param {{progress?: Progress | null, rows?: Row[] | null, columns?: string[] | null,
 *   errorGroups?: ErrorGroup[] | null, model?: string | null, offline?: boolean, stopSent: boolean,
 *   resumeSent?: boolean}} inputs
 */
export function jobState({ progress, rows, columns, errorGroups, model, offline, stopSent, resumeSent = false }) {
  const p = progress ?? {};
  const total = p.total ?? 0;
  const [done, failed, running] = [p.done ?? 0, p.failed ?? 0, p.running ?? 0];
  const finished = done + failed;
  const state = p.state ?? "running";
  const share = (/** @type {number} */ n) => (total ? (100 * n) / total : 0);
  const counts = [`${formatCount(finished)} of ${formatCount(total)} finished`];
  if (failed) counts.push(`${formatCount(failed)} failed`);
  if (running) counts.push(`${formatCount(running)} in flight`);
  if (p.queued) counts.push(`${formatCount(p.queued)} queued`);
  if (p.stopped) counts.push(`${formatCount(p.stopped)} not run`);
  // Answered from the answer store (replay): nothing sent for them
  if (p.from_store) counts.push(`${formatCount(p.from_store)} from the store` + (p.saved ? ` (saved ${formatCost(p.saved)})` : ""));

  const stats = [];
  if (p.rate) stats.push(`${p.rate < 10 ? p.rate.toFixed(1) : formatCount(p.rate)} items/s`);
  if (p.elapsed) stats.push(`elapsed ${formatDuration(p.elapsed)}`);
  if (state === "running" && p.eta) stats.push(`about ${formatDuration(p.eta)} left`);
  if (p.input_tokens || p.output_tokens) {
    stats.push(`${formatCount(p.input_tokens ?? 0)} tokens in · ${formatCount(p.output_tokens ?? 0)} out`);
  }
  if (typeof p.cost === "number") {
    stats.push(`spent ${formatCost(p.cost)}` + (typeof p.max_cost === "number" ? ` of max ${formatCost(p.max_cost)}` : ""));
    // The projection is for every item: while some are left to do (running, or stopped with items not run).
    if (finished < total && typeof p.projected_cost === "number" && p.projected_cost > p.cost) {
      stats.push(`about ${formatCost(p.projected_cost)} for all ${formatCount(total)}`);
    }
  }
  if (p.refusals) stats.push(`${formatCount(p.refusals)} rate-limited, retried`);

  const names = columns?.length ? columns : ["answer"];
  const shown = (rows ?? []).map((row) => ({
    index: row.index,
    item: row.item,
    status: row.status,
    cells: row.status === "done" ? names.map((_, i) => row.values?.[i] ?? "") : [],
    note: row.status === "done" ? null : row.status === "failed" ? `failed: ${row.error ?? ""}` : WAITING[row.status] ?? row.status,
  }));
  const first = shown[0]?.index ?? 0;
  const last = shown.at(-1)?.index ?? 0;
  const resumable = state !== "running" && p.resumable === true;

  return {
    state,
    stateLabel: STATE_LABELS[state] ?? state,
    model: model ?? "",
    offline: offline === true,
    countsLabel: counts.join(" · "),
    statsLabel: stats.join(" · "),
    bar: { done: share(done), failed: share(failed), running: share(running) },
    progressValue: finished,
    total,
    notice: state === "max_cost"
      ? `No more items were started: the spend and what was in flight would have passed max_cost (${formatCost(p.max_cost ?? 0)}).`
      : null,
    batch: p.batch_ids?.length
      ? `Message Batches API (half price) · ${p.batch_status ?? "submitting"} · ${p.batch_ids.join(", ")}`
      : null,
    table: {
      columns: ["#", "item", ...names],
      rows: shown,
      caption: shown.length
        ? `Items ${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}, in input order (# is the index in job.results)`
        : "",
    },
    errors: errorGroups ?? [],
    stop: { hidden: state !== "running", disabled: stopSent, label: stopSent ? "Stopping…" : "Stop" },
    resume: {
      hidden: !resumable && !resumeSent,
      disabled: resumeSent,
      label: resumeSent ? "Resuming…" : p.stopped ? "Resume" : "Retry failed",
      title: p.stopped
        ? `Send the ${formatCount(p.stopped + failed)} items not done (job.resume())`
        : `Send the ${formatCount(failed)} failed items again (job.resume())`,
    },
  };
}
