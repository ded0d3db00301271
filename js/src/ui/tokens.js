// The live token counter and cost shown in the header.
import { isFinished } from "./status.js";

/**
 * @typedef {import("../wire/protocol.js").Usage} Usage
 * @typedef {import("../wire/protocol.js").Prices} Prices
 * @typedef {{input: number, output: number, outputExact: boolean, costUsd: number | null, label: string}} UsageDisplay
 */

/**
 * Rough token count of streamed text (about four characters per token), at least 1 when non-empty.
 * Only used until the exact count arrives.
 * @param {string} text
 * @returns {number}
 */
export function estimateTokens(text) {
  return Math.ceil(text.length / 4);
}

/** @param {number} n */
function formatCount(n) {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** @param {number} usd */
function formatCost(usd) {
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

/**
 * What the header shows. While streaming, the API's running `output_tokens` lags behind the text,
 * so the larger of it and an estimate from the text is shown, marked approximate ("~").
 * @param {{usage?: Usage | null | undefined, text: string, status: string, prices?: Prices | null | undefined}} state
 * @returns {UsageDisplay}
 */
export function displayUsage({ usage, text, status, prices }) {
  const u = usage ?? {};
  const input = u.input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const outputExact = isFinished(status); // then usage.output_tokens is final
  const output = outputExact ? (u.output_tokens ?? 0) : Math.max(u.output_tokens ?? 0, estimateTokens(text));
  const costUsd = prices
    ? (input * prices.input + output * prices.output + cacheWrite * prices.cache_write + cacheRead * prices.cache_read) / 1e6
    : null;

  const parts = [];
  if (input > 0 || output > 0 || cacheWrite > 0 || cacheRead > 0) {
    parts.push(`${formatCount(input)} in`);
    if (cacheWrite + cacheRead > 0) parts.push(`${formatCount(cacheWrite + cacheRead)} cached`);
    parts.push(`${outputExact ? "" : "~"}${formatCount(output)} out`);
    if (costUsd !== null) parts.push(formatCost(costUsd));
  }
  return { input, output, outputExact, costUsd, label: parts.join(" · ") };
}
