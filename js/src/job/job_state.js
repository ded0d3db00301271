// What a map job's progress shows, decided without a DOM from the job widget's traits (job_widget.py): a pure
// function, tested in node. job_view.js applies it.
import { formatCost, formatCount } from "../ui/tokens.js";

/**
 * @typedef {{total?: number, done?: number, failed?: number, running?: number, queued?: number, stopped?: number,
 *   refusals?: number, elapsed?: number, rate?: number, eta?: number | null, input_tokens?: number,
 *   output_tokens?: number, cost?: number | null, projected_cost?: number | null, max_cost?: number | null,
 *   in_flight_limit?: number, state?: string, batch_ids?: string[], batch_status?: string | null}} Progress
 * @typedef {{index: number, input: string, answer: string, status: string}} Row
 * @typedef {{kind: string, count: number, example: string}} ErrorGroup
 */

const STATE_LABELS = /** @type {Record<string, string>} */ ({
  running: "Running", done: "Done", stopped: "Stopped", max_cost: "Stopped at max_cost",
});

/**
 * A duration as "1:42" or "2:03:10".
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * @param {{progress?: Progress | null, latest?: Row[] | null, errorGroups?: ErrorGroup[] | null, stopSent: boolean}} inputs
 */
export function jobState({ progress, latest, errorGroups, stopSent }) {
  const p = progress ?? {};
  const total = p.total ?? 0;
  const [done, failed, running] = [p.done ?? 0, p.failed ?? 0, p.running ?? 0];
  const state = p.state ?? "running";
  const share = (/** @type {number} */ n) => (total ? (100 * n) / total : 0);
  const counts = [`${formatCount(done + failed)} / ${formatCount(total)}`];
  if (failed) counts.push(`${formatCount(failed)} failed`);
  if (running) counts.push(`${formatCount(running)} in flight`);
  if (p.queued) counts.push(`${formatCount(p.queued)} queued`);
  if (p.stopped) counts.push(`${formatCount(p.stopped)} not run`);

  const stats = [];
  if (p.rate) stats.push(`${p.rate < 10 ? p.rate.toFixed(1) : formatCount(p.rate)} items/s`);
  if (state === "running" && p.eta) stats.push(`${formatDuration(p.eta)} left`);
  else if (p.elapsed) stats.push(`${formatDuration(p.elapsed)} in all`);
  if (p.input_tokens || p.output_tokens) {
    stats.push(`${formatCount(p.input_tokens ?? 0)} in · ${formatCount(p.output_tokens ?? 0)} out`);
  }
  if (typeof p.cost === "number") {
    const projected = state === "running" && typeof p.projected_cost === "number" && p.projected_cost > p.cost
      ? ` (~${formatCost(p.projected_cost)} in all)` : "";
    stats.push(formatCost(p.cost) + projected + (typeof p.max_cost === "number" ? ` of max ${formatCost(p.max_cost)}` : ""));
  }
  if (p.refusals) stats.push(`${formatCount(p.refusals)} rate-limited, retried`);

  return {
    state,
    stateLabel: STATE_LABELS[state] ?? state,
    countsLabel: counts.join(" · "),
    statsLabel: stats.join(" · "),
    bar: { done: share(done), failed: share(failed), running: share(running) },
    progressValue: done + failed,
    total,
    notice: state === "max_cost"
      ? `No more items were started: the spend and what was in flight would have passed max_cost (${formatCost(p.max_cost ?? 0)}).`
      : null,
    batch: p.batch_ids?.length
      ? `Message Batches API (half price) · ${p.batch_status ?? "submitting"} · ${p.batch_ids.join(", ")}`
      : null,
    rows: (latest ?? []).slice().reverse(),
    errors: errorGroups ?? [],
    stop: { hidden: state !== "running", disabled: stopSent, label: stopSent ? "Stopping…" : "Stop" },
  };
}
