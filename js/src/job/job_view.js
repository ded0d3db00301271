// anywidget `render` for a map job's progress (job_widget.py): the model (and "offline"), a bar, counts, rates and
// money, a window of rows in input order, the errors by kind, Stop and, once stopped, Resume. What it shows is
// decided by jobState (job_state.js).
import { intents } from "../wire/protocol.js";
import { h } from "../ui/dom.js";
import { jobState } from "./job_state.js";

/** @typedef {import("@anywidget/types").AnyModel<any>} JobModel */

const TRAITS = ["progress", "rows", "columns", "error_groups", "model", "offline"];

/**
 * @param {{model: JobModel, el: HTMLElement, signal?: AbortSignal}} context
 * @returns {() => void}
 */
export function renderJob({ model, el, signal }) {
  const doc = el.ownerDocument;
  const lifetime = new AbortController();
  signal?.addEventListener("abort", () => lifetime.abort(), { once: true });

  const status = h(doc, "span", { class: "cw-status", "data-role": "job-state", role: "status" });
  const modelName = h(doc, "span", { class: "cw-model", "data-role": "model" });
  const offline = h(doc, "span", { class: "cw-badge", "data-role": "offline", title: "Answers from the built-in fake server" }, ["offline"]);
  const counts = h(doc, "span", { class: "cw-job-counts", "data-role": "job-counts" });
  const resume = h(doc, "button", { type: "button", class: "cw-button", "data-role": "resume" }, ["Resume"]);
  const stop = h(doc, "button", { type: "button", class: "cw-button cw-stop", "data-role": "stop", "aria-label": "Stop the job" }, ["Stop"]);
  const header = h(doc, "div", { class: "cw-header" }, [status, modelName, offline, counts, h(doc, "span", { class: "cw-spacer" }), resume, stop]);
  const [done, failed, running] = ["done", "failed", "running"].map((kind) => h(doc, "span", { class: `cw-job-${kind}` }));
  const bar = h(doc, "div", { class: "cw-job-bar", role: "progressbar", "aria-valuemin": "0", "data-role": "job-bar" }, [done, failed, running]);
  const stats = h(doc, "div", { class: "cw-job-stats", "data-role": "job-stats" });
  const notice = h(doc, "div", { class: "cw-notice", "data-role": "job-notice", role: "status" });
  const batch = h(doc, "div", { class: "cw-job-stats cw-job-batch", "data-role": "job-batch" });
  const caption = h(doc, "caption", { "data-role": "job-caption" });
  const head = h(doc, "thead", {});
  const body = h(doc, "tbody", {});
  const rows = h(doc, "table", { class: "cw-job-rows", "data-role": "job-rows" }, [caption, head, body]);
  const errors = h(doc, "ul", { class: "cw-job-errors", "data-role": "job-errors", "aria-label": "Errors by kind" });
  const root = h(doc, "div", { class: "cw-root cw-job", "data-role": "root" }, [header, bar, stats, batch, notice, rows, errors]);

  let [stopSent, resumeSent] = [false, false];
  let shownColumns = "";
  function paint() {
    const ended = ["done", "stopped", "max_cost"].includes(model.get("progress")?.state ?? "running");
    if (ended) stopSent = false; // a resumed job gets a fresh Stop
    else resumeSent = false; // and a stopped one, once it has ended again, a fresh Resume
    const state = jobState({ progress: model.get("progress"), rows: model.get("rows"), columns: model.get("columns"),
      errorGroups: model.get("error_groups"), model: model.get("model"), offline: model.get("offline"), stopSent, resumeSent });
    root.dataset.state = state.state;
    status.dataset.status = state.state === "running" ? "streaming" : state.state === "done" ? "done" : "stopped";
    status.textContent = state.stateLabel;
    modelName.textContent = state.model;
    modelName.hidden = !state.model;
    offline.hidden = !state.offline;
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
    const { table } = state;
    if (table.columns.join("\n") !== shownColumns) {
      shownColumns = table.columns.join("\n");
      head.replaceChildren(h(doc, "tr", {}, table.columns.map((name) => h(doc, "th", { scope: "col" }, [name]))));
    }
    caption.textContent = table.caption;
    body.replaceChildren(...table.rows.map((row) => h(doc, "tr", { "data-status": row.status, "data-index": String(row.index) }, [
      h(doc, "td", { class: "cw-job-index", title: `job.results[${row.index}]` }, [String(row.index)]),
      h(doc, "td", { class: "cw-job-item", title: row.item }, [row.item]),
      ...(row.note === null
        ? row.cells.map((cell) => h(doc, "td", { title: cell }, [cell]))
        : [h(doc, "td", { class: "cw-job-note", colspan: String(table.columns.length - 2), title: row.note }, [row.note])]),
    ])));
    rows.hidden = table.rows.length === 0;
    errors.replaceChildren(...state.errors.map((group) => h(doc, "li", { "data-kind": group.kind }, [
      h(doc, "strong", {}, [`${group.kind} × ${group.count}`]), `: ${group.example}`,
    ])));
    errors.hidden = state.errors.length === 0;
    stop.hidden = state.stop.hidden;
    stop.toggleAttribute("disabled", state.stop.disabled);
    stop.textContent = state.stop.label;
    resume.hidden = state.resume.hidden;
    resume.toggleAttribute("disabled", state.resume.disabled);
    resume.textContent = state.resume.label;
    resume.title = state.resume.title;
  }

  stop.addEventListener("click", () => {
    if (stopSent) return;
    stopSent = true;
    model.send(intents.user("stop"));
    paint();
  }, { signal: lifetime.signal });
  resume.addEventListener("click", () => {
    if (resumeSent) return;
    resumeSent = true;
    model.send(intents.user("resume"));
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
