// The event inspector: the stream as a teacher shows it. The live list of events (type, time since
// the request, a few words of payload), time to first token, tokens per second, and a timeline of
// tokens over time. Pure functions for the figures; a thin DOM part.
import { h } from "./dom.js";

/**
 * @typedef {{at: number, kind: string, detail: string}} LogEntry
 * @typedef {{entries: LogEntry[], deltaTimes: number[], textDeltaTimes: number[]}} Log the log so far, with the
 *   times of its content deltas (all, and text only) kept as it grows, so the figures never rescan it
 */

/**
 * Reads the event log channel as it grows: one JSON array per complete line (a partial last line waits),
 * parsing only what is new since the last read. The log only grows (a snapshot repeats what came before);
 * a shorter text is read again from the start.
 */
export function createLogReader() {
  /** @type {Log} */
  const log = { entries: [], deltaTimes: [], textDeltaTimes: [] };
  let parsed = 0; // characters of the text read so far: whole lines
  return {
    /**
     * @param {string} text the channel's text
     * @returns {Log} the log so far (the same object, grown)
     */
    read(text) {
      if (text.length < parsed) {
        for (const list of [log.entries, log.deltaTimes, log.textDeltaTimes]) list.length = 0;
        parsed = 0;
      }
      const end = text.lastIndexOf("\n");
      if (end < parsed) return log;
      for (const line of text.slice(parsed, end).split("\n")) {
        try {
          const [at, kind, detail] = JSON.parse(line);
          if (typeof at !== "number" || typeof kind !== "string") continue;
          const entry = { at, kind, detail: String(detail ?? "") };
          log.entries.push(entry);
          if (kind !== "content_block_delta") continue;
          log.deltaTimes.push(at);
          if (entry.detail.startsWith("text_delta")) log.textDeltaTimes.push(at);
        } catch {
          // a malformed line is skipped, never fatal
        }
      }
      parsed = end + 1;
      return log;
    },
  };
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
export function streamStats({ entries, textDeltaTimes: deltas }) {
  const firstTokenAt = deltas.length ? deltas[0] : null;
  const lastAt = entries.length ? entries[entries.length - 1].at : null;
  const span = deltas.length > 1 ? deltas[deltas.length - 1] - deltas[0] : 0;
  return {
    events: entries.length,
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
export function timelinePath({ entries, deltaTimes: deltas }, width, height) {
  if (!deltas.length) return "";
  const maxT = Math.max(entries[entries.length - 1].at, 1e-6);
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

const SVG = "http://www.w3.org/2000/svg";
const SHOWN = 200; // events listed; the figures count them all

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
  svg.setAttribute("aria-label", "Text deltas received over time");
  const path = doc.createElementNS(SVG, "path");
  svg.append(path);
  const list = h(doc, "ol", { class: "cw-events", "data-role": "events" });
  const element = h(doc, "div", { class: "cw-inspector", "data-role": "inspector", hidden: "" }, [stats, svg, list]);
  let listed = 0;

  return {
    element,
    /**
     * @param {Log} log
     * @param {number} [outputTokens] from the usage, to turn deltas into tokens per second
     */
    update(log, outputTokens = 0) {
      const { entries } = log;
      const s = streamStats(log);
      const parts = [`${s.events} events`, `${s.deltas} text deltas`];
      if (s.firstTokenAt !== null) parts.push(`first token after ${(s.firstTokenAt * 1000).toFixed(0)} ms`);
      const rate = tokensPerSecond(s, outputTokens);
      if (rate !== null) parts.push(`${rate.toFixed(0)} tokens/s`);
      if (s.deltasPerSecond !== null) parts.push(`${s.deltasPerSecond.toFixed(0)} deltas/s`);
      if (s.lastAt !== null) parts.push(`${s.lastAt.toFixed(2)} s in all`);
      stats.textContent = parts.join(" · ");
      path.setAttribute("d", timelinePath(log, 300, 60));
      if (entries.length < listed) {
        list.textContent = "";
        listed = 0;
      }
      const fragment = doc.createDocumentFragment();
      for (const entry of entries.slice(Math.max(listed, entries.length - SHOWN))) {
        const item = doc.createElement("li");
        item.dataset.kind = entry.kind;
        item.textContent = `+${entry.at.toFixed(3)} s  ${entry.kind}  ${entry.detail}`;
        fragment.append(item);
      }
      listed = entries.length;
      list.append(fragment);
      while (list.childElementCount > SHOWN) list.firstElementChild?.remove();
    },
  };
}
