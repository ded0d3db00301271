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
export function formatCount(n) {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** @param {number} usd */
export function formatCost(usd) {
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

/**
 * What the header shows. Before `message_start` reports the input, the kernel's estimate of the request stands in
 * for it, marked approximate ("~"). While streaming, the API's running `output_tokens` lags behind the text, so
 * the larger of it and an estimate from the text is shown, also approximate. Prompt caching shows as the tokens
 * written to and read from the cache, and what reading them saved against the full input price.
 * @param {{usage?: Usage | null | undefined, text: string, status: string, prices?: Prices | null | undefined,
 *   inputEstimate?: number | null | undefined}} state
 * @returns {UsageDisplay}
 */
export function displayUsage({ usage, text, status, prices, inputEstimate }) {
  const u = usage ?? {};
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite1h = u.cache_creation_1h_input_tokens ?? 0;
  const inputKnown = (u.input_tokens ?? 0) + cacheWrite + cacheRead > 0;
  const input = inputKnown ? (u.input_tokens ?? 0) : (inputEstimate ?? 0);
  const outputExact = isFinished(status); // then usage.output_tokens is final
  const output = outputExact ? (u.output_tokens ?? 0) : Math.max(u.output_tokens ?? 0, estimateTokens(text));
  // The same linear sum as the kernel's (pricing.priced): the rates already carry any tier or multiplier.
  const costUsd = prices
    ? (input * prices.input + output * prices.output + (cacheWrite - cacheWrite1h) * prices.cache_write +
        cacheWrite1h * (prices.cache_write_1h ?? prices.cache_write) + cacheRead * prices.cache_read) / 1e6
    : null;
  // What the cache saved: reads below the input price, less the premium paid for writes.
  const savedUsd = prices
    ? (cacheRead * (prices.input - prices.cache_read) - (cacheWrite - cacheWrite1h) * (prices.cache_write - prices.input) -
        cacheWrite1h * ((prices.cache_write_1h ?? prices.cache_write) - prices.input)) / 1e6
    : 0;

  const parts = [];
  if (!inputKnown && input > 0) {
    parts.push(`~${formatCount(input)} in`);
    if (output > 0) parts.push(`~${formatCount(output)} out`);
    if (costUsd !== null) parts.push(`~${formatCost(costUsd)}`);
  } else if (inputKnown || output > 0) {
    parts.push(`${formatCount(input)} in`);
    if (cacheWrite > 0) parts.push(`${formatCount(cacheWrite)} cache write`);
    if (cacheRead > 0) parts.push(`${formatCount(cacheRead)} cache read`);
    parts.push(`${outputExact ? "" : "~"}${formatCount(output)} out`);
    if (costUsd !== null) parts.push(formatCost(costUsd));
    if (savedUsd > 0) parts.push(`saved ${formatCost(savedUsd)}`);
    if (costUsd !== null) parts.push(...(prices?.notes ?? []));
  }
  return { input, output, outputExact, costUsd, label: parts.join(" · ") };
}
