// The event inspector: the stream as a teacher shows it. The live list of events (type, time since
// the request, a few words of payload), time to first token, tokens per second, and a timeline of
// tokens over time. Pure functions for the figures; a thin DOM part.
import { h } from "./dom.js";

/**
 * @typedef {{at: number, kind: string, detail: string}} LogEntry
 * @typedef {{first: LogEntry[], latest: LogEntry[], count: number, lastAt: number | null, deltaTimes: number[],
 *   textDeltaTimes: number[]}} Log the log so far: its first events and its latest (the middle of a long answer is
 *   only counted, so memory and the list stay bounded), with the times of its content deltas (all, and text only)
 *   kept as it grows, so the figures never rescan it
 */

export const FIRST_KEPT = 50; // message_start, the first blocks: how the answer began
export const LATEST_KEPT = 200; // what is happening now

/**
 * Reads the event log channel as it grows: one JSON array per complete line (a partial last line waits),
 * parsing only what is new since the last read. The log only grows (a snapshot repeats what came before);
 * a shorter text is read again from the start.
 */
export function createLogReader() {
  /** @type {Log} */
  const log = { first: [], latest: [], count: 0, lastAt: null, deltaTimes: [], textDeltaTimes: [] };
  let parsed = 0; // characters of the text read so far: whole lines
  return {
    /**
     * @param {string} text the channel's text
     * @returns {Log} the log so far (the same object, grown)
     */
    read(text) {
      if (text.length < parsed) {
        for (const list of [log.first, log.latest, log.deltaTimes, log.textDeltaTimes]) list.length = 0;
        log.count = 0;
        log.lastAt = null;
        parsed = 0;
      }
      const end = text.lastIndexOf("\n");
      if (end < parsed) return log;
      for (const line of text.slice(parsed, end).split("\n")) {
        try {
          const [at, kind, detail] = JSON.parse(line);
          if (typeof at !== "number" || typeof kind !== "string") continue;
          const entry = { at, kind, detail: String(detail ?? "") };
          (log.count < FIRST_KEPT ? log.first : log.latest).push(entry);
          log.count += 1;
          log.lastAt = at;
          if (kind !== "content_block_delta") continue;
          log.deltaTimes.push(at);
          if (entry.detail.startsWith("text_delta")) log.textDeltaTimes.push(at);
        } catch {
          // a malformed line is skipped, never fatal
        }
      }
      if (log.latest.length > LATEST_KEPT) log.latest.splice(0, log.latest.length - LATEST_KEPT);
      parsed = end + 1;
      return log;
    },
  };
}

/**
 * What the list shows: the first events, how many in the middle are left out, the latest (each with its number).
 * @param {Log} log
 * @returns {{first: LogEntry[], hidden: number, latest: LogEntry[], latestFrom: number}} latestFrom: the number
 *   (from 1) of the first of `latest`
 */
export function listed(log) {
  const hidden = log.count - log.first.length - log.latest.length;
  return { first: log.first, hidden, latest: log.latest, latestFrom: log.first.length + hidden + 1 };
}

/**
 * Parse a whole event log at once.
 * @param {string} text
 * @returns {Log}
 */
export function parseLog(text) {
  return createLogReader().read(text);
}

/**
 * @param {Log} log
 * @returns {{events: number, deltas: number, firstTokenAt: number | null, lastAt: number | null, deltasPerSecond: number | null}}
 */
export function streamStats({ count, lastAt, textDeltaTimes: deltas }) {
  const firstTokenAt = deltas.length ? deltas[0] : null;
  const span = deltas.length > 1 ? deltas[deltas.length - 1] - deltas[0] : 0;
  return {
    events: count,
    deltas: deltas.length,
    firstTokenAt,
    lastAt,
    deltasPerSecond: span > 0 ? (deltas.length - 1) / span : null,
  };
}

/**
 * Output tokens per second between the first text delta and the last event, once the count is known.
 * @param {{firstTokenAt: number | null, lastAt: number | null}} stats
 * @param {number} outputTokens
 * @returns {number | null}
 */
export function tokensPerSecond(stats, outputTokens) {
  if (stats.firstTokenAt === null || stats.lastAt === null || outputTokens <= 1) return null;
  const span = stats.lastAt - stats.firstTokenAt;
  return span > 0 ? outputTokens / span : null;
}

/**
 * SVG path of content deltas received over time (cumulative), scaled into width x height.
 * @param {Log} log
 * @param {number} width
 * @param {number} height
 * @returns {string}
 */
export function timelinePath({ lastAt, deltaTimes: deltas }, width, height) {
  if (!deltas.length) return "";
  const maxT = Math.max(lastAt ?? 0, 1e-6);
  const step = Math.max(1, Math.floor(deltas.length / 400)); // at most ~400 points, whatever the length
  const points = [`M0,${height}`];
  for (let i = 0; i < deltas.length; i += step) points.push(point(deltas[i], i + 1));
  points.push(point(deltas[deltas.length - 1], deltas.length));
  return points.join(" L");

  /** @param {number} at @param {number} count */
  function point(at, count) {
    return `${((at / maxT) * width).toFixed(1)},${(height - (count / deltas.length) * height).toFixed(1)}`;
  }
}

/**
 * Where the time axis gets its ticks: 0 and round steps (1, 2 or 5 times a power of ten seconds), at most `most`.
 * @param {number} span seconds the axis covers
 * @param {number} [most]
 * @returns {{at: number, label: string}[]}
 */
export function timeTicks(span, most = 6) {
  if (!(span > 0)) return [{ at: 0, label: "0 s" }];
  let step = 10 ** Math.floor(Math.log10(span / most));
  for (const factor of [1, 2, 5, 10]) {
    if (span / (step * factor) <= most - 1) {
      step *= factor;
      break;
    }
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks = [];
  for (let i = 0; i * step <= span + 1e-9; i++) ticks.push({ at: i * step, label: `${i ? (i * step).toFixed(decimals) : 0} s` });
  return ticks;
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {Document} doc
 */
export function createInspector(doc) {
  const stats = h(doc, "div", { class: "cw-inspector-stats", "data-role": "inspector-stats" });
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 300 60");
  svg.setAttribute("preserveAspectRatio", "none"); // the time axis spans the panel's width
  svg.setAttribute("class", "cw-timeline");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Content deltas received over time");
  const grid = doc.createElementNS(SVG, "path");
  grid.setAttribute("class", "cw-timeline-grid");
  const path = doc.createElementNS(SVG, "path");
  path.setAttribute("data-role", "timeline-path");
  svg.append(grid, path);
  // The axes' words are HTML beside the stretched drawing, so they keep their shape at any width.
  const yMax = h(doc, "span", { "data-role": "timeline-y-max" });
  const yAxis = h(doc, "div", { class: "cw-timeline-y", "aria-hidden": "true" }, [yMax, h(doc, "span", {}, ["0"])]);
  const xAxis = h(doc, "div", { class: "cw-timeline-x", "data-role": "timeline-x", "aria-hidden": "true" });
  const caption = h(doc, "div", { class: "cw-timeline-caption" }, [
    "content deltas (text, thinking, tool input) received, by seconds from the request",
  ]);
  const figure = h(doc, "div", { class: "cw-timeline-figure" }, [yAxis, svg, xAxis, caption]);
  const gap = h(doc, "li", { class: "cw-events-gap", "data-role": "events-gap", hidden: "" });
  const list = h(doc, "ol", { class: "cw-events", "data-role": "events" }, [gap]);
  const element = h(doc, "div", { class: "cw-inspector", "data-role": "inspector", hidden: "" }, [stats, figure, list]);
  // The list holds the log's first events, then the gap row, then its latest: at most FIRST_KEPT + LATEST_KEPT rows.
  let counted = 0; // the log's count at the last update
  let firstRows = 0;
  let latestRows = 0;
  let axisKey = "";

  /** @param {LogEntry} entry @param {number} number */
  function row(entry, number) {
    const item = doc.createElement("li");
    item.value = number; // the event's own number, also after the gap
    item.dataset.kind = entry.kind;
    item.textContent = `+${entry.at.toFixed(3)} s  ${entry.kind}  ${entry.detail}`;
    return item;
  }

  /** @param {Log} log */
  function drawAxes(log) {
    const span = log.deltaTimes.length ? Math.max(log.lastAt ?? 0, 1e-6) : 0;
    const ticks = timeTicks(span);
    const key = `${ticks.length}:${ticks[ticks.length - 1].label}:${span.toFixed(2)}:${log.deltaTimes.length}`;
    if (key === axisKey) return;
    axisKey = key;
    yMax.textContent = `${log.deltaTimes.length.toLocaleString("en-US")} deltas`;
    xAxis.replaceChildren(...ticks.map(({ at, label }) => {
      const tick = h(doc, "span", {}, [label]);
      tick.style.left = span > 0 ? `${(at / span) * 100}%` : "0";
      return tick;
    }));
    grid.setAttribute("d", span > 0 ? ticks.slice(1).map(({ at }) => `M${((at / span) * 300).toFixed(1)},0 V60`).join(" ") : "");
  }

  return {
    element,
    /**
     * @param {Log} log
     * @param {number} [outputTokens] from the usage, to turn deltas into tokens per second
     */
    update(log, outputTokens = 0) {
      const s = streamStats(log);
      const parts = [`${s.events} events`, `${s.deltas} text deltas`];
      if (s.firstTokenAt !== null) parts.push(`first token after ${(s.firstTokenAt * 1000).toFixed(0)} ms`);
      const rate = tokensPerSecond(s, outputTokens);
      if (rate !== null) parts.push(`${rate.toFixed(0)} tokens/s`);
      if (s.deltasPerSecond !== null) parts.push(`${s.deltasPerSecond.toFixed(0)} deltas/s`);
      if (s.lastAt !== null) parts.push(`${s.lastAt.toFixed(2)} s in all`);
      stats.textContent = parts.join(" · ");
      path.setAttribute("d", timelinePath(log, 300, 60));
      drawAxes(log);
      if (log.count < counted) {
        list.replaceChildren(gap);
        counted = firstRows = latestRows = 0;
      }
      if (log.count === counted) return;
      const fresh = log.count - counted;
      const head = doc.createDocumentFragment();
      for (let i = firstRows; i < log.first.length; i++) head.append(row(log.first[i], i + 1));
      const intoLatest = Math.min(fresh - (log.first.length - firstRows), log.latest.length);
      firstRows = log.first.length;
      gap.before(head);
      const tail = doc.createDocumentFragment();
      log.latest.slice(log.latest.length - intoLatest).forEach((entry, i) => {
        tail.append(row(entry, log.count - intoLatest + i + 1));
      });
      list.append(tail);
      latestRows += intoLatest;
      for (; latestRows > LATEST_KEPT; latestRows--) gap.nextElementSibling?.remove();
      const hidden = listed(log).hidden;
      gap.hidden = hidden === 0;
      gap.textContent = `… ${hidden.toLocaleString("en-US")} events not shown …`;
      counted = log.count;
    },
  };
}
