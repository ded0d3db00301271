// anywidget `render` for a map job's progress (job_widget.py): a bar, counts, rates and money, the latest rows,
// the errors by kind, and Stop. What it shows is decided by jobState (job_state.js).
import { intents } from "../wire/protocol.js";
import { h } from "../ui/dom.js";
import { jobState } from "./job_state.js";

/** @typedef {import("@anywidget/types").AnyModel<any>} JobModel */

const TRAITS = ["progress", "latest", "error_groups"];

/**
 * @param {{model: JobModel, el: HTMLElement, signal?: AbortSignal}} context
 * @returns {() => void}
 */
export function renderJob({ model, el, signal }) {
  const doc = el.ownerDocument;
  const lifetime = new AbortController();
  signal?.addEventListener("abort", () => lifetime.abort(), { once: true });

  const status = h(doc, "span", { class: "cw-status", "data-role": "job-state", role: "status" });
  const counts = h(doc, "span", { class: "cw-job-counts", "data-role": "job-counts" });
  const stop = h(doc, "button", { type: "button", class: "cw-button cw-stop", "data-role": "stop", "aria-label": "Stop the job" }, ["Stop"]);
  const header = h(doc, "div", { class: "cw-header" }, [status, counts, h(doc, "span", { class: "cw-spacer" }), stop]);
  const [done, failed, running] = ["done", "failed", "running"].map((kind) => h(doc, "span", { class: `cw-job-${kind}` }));
  const bar = h(doc, "div", { class: "cw-job-bar", role: "progressbar", "aria-valuemin": "0", "data-role": "job-bar" }, [done, failed, running]);
  const stats = h(doc, "div", { class: "cw-job-stats", "data-role": "job-stats" });
  const notice = h(doc, "div", { class: "cw-notice", "data-role": "job-notice", role: "status" });
  const batch = h(doc, "div", { class: "cw-job-stats cw-job-batch", "data-role": "job-batch" });
  const rows = h(doc, "ul", { class: "cw-job-rows", "data-role": "job-rows", "aria-label": "Latest items" });
  const errors = h(doc, "ul", { class: "cw-job-errors", "data-role": "job-errors", "aria-label": "Errors by kind" });
  const root = h(doc, "div", { class: "cw-root cw-job", "data-role": "root" }, [header, bar, stats, batch, notice, rows, errors]);

  let stopSent = false;
  function paint() {
    const ended = ["done", "stopped", "max_cost"].includes(model.get("progress")?.state ?? "running");
    if (ended) stopSent = false; // a resume() gets a fresh Stop
    const state = jobState({ progress: model.get("progress"), latest: model.get("latest"),
      errorGroups: model.get("error_groups"), stopSent });
    root.dataset.state = state.state;
    status.dataset.status = state.state === "running" ? "streaming" : state.state === "done" ? "done" : "stopped";
    status.textContent = state.stateLabel;
    counts.textContent = state.countsLabel;
    stats.textContent = state.statsLabel;
    for (const [part, width] of /** @type {const} */ ([[done, state.bar.done], [failed, state.bar.failed], [running, state.bar.running]])) {
      part.style.width = `${width}%`;
    }
    bar.setAttribute("aria-valuemax", String(state.total));
    bar.setAttribute("aria-valuenow", String(state.progressValue));
    batch.hidden = state.batch === null;
    batch.textContent = state.batch ?? "";
    notice.hidden = state.notice === null;
    notice.textContent = state.notice ?? "";
    rows.replaceChildren(...state.rows.map((row) => h(doc, "li", { "data-status": row.status }, [
      h(doc, "span", { class: "cw-job-index" }, [`#${row.index + 1}`]), " ",
      h(doc, "span", { class: "cw-job-input" }, [row.input]), " → ", h(doc, "span", { class: "cw-job-answer" }, [row.answer]),
    ])));
    rows.hidden = state.rows.length === 0;
    errors.replaceChildren(...state.errors.map((group) => h(doc, "li", { "data-kind": group.kind }, [
      h(doc, "strong", {}, [`${group.kind} × ${group.count}`]), `: ${group.example}`,
    ])));
    errors.hidden = state.errors.length === 0;
    stop.hidden = state.stop.hidden;
    stop.toggleAttribute("disabled", state.stop.disabled);
    stop.textContent = state.stop.label;
  }

  stop.addEventListener("click", () => {
    if (stopSent) return;
    stopSent = true;
    model.send(intents.user("stop"));
    paint();
  }, { signal: lifetime.signal });
  for (const name of TRAITS) {
    model.on(`change:${name}`, paint);
    lifetime.signal.addEventListener("abort", () => model.off(`change:${name}`, paint), { once: true });
  }
  el.append(root);
  lifetime.signal.addEventListener("abort", () => root.remove(), { once: true });
  paint();
  return () => lifetime.abort();
}
