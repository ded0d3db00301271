// The header's token counter and cost: a short line ("4.9k in (4.4k cached) · 233 out · $0.011") and its full
// breakdown, in the reader's words (not the API's "cache write/read"), for the counter's tooltip.
import { isFinished } from "./status.js";

/**
 * @typedef {import("../wire/protocol.js").Usage} Usage
 * @typedef {import("../wire/protocol.js").Prices} Prices
 * @typedef {object} UsageDisplay
 * @property {number} input all the input: new, written to the cache and read from it (or the estimate, before it is known)
 * @property {number} cached the part of the input read from the cache
 * @property {number} output the output tokens (thinking included), estimated while streaming
 * @property {number} thinking the part of the output that was thinking
 * @property {boolean} outputExact the figures are final
 * @property {number | null} costUsd null for a model without a known price
 * @property {string} label the counter's line; "" before anything is known
 * @property {{text: string, aside: string}[]} parts the line's parts, e.g. {text: "4.9k in", aside: "4.4k cached"}:
 *   a narrow header leaves the asides out
 * @property {string[]} breakdown the counter's tooltip, one line each
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

/** "1,234,567". @param {number} n */
export function formatCount(n) {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "233", "4.9k", "49k", "1.2M": two or three figures, for the counter's line. @param {number} n */
export function formatCompact(n) {
  const whole = Math.round(n);
  if (whole < 1000) return String(whole);
  for (const [unit, size] of /** @type {const} */ ([["k", 1e3], ["M", 1e6]])) {
    const value = whole / size;
    if (value < 9.95) return `${value.toFixed(1).replace(/\.0$/, "")}${unit}`;
    if (value < 999.5) return `${Math.round(value)}${unit}`;
  }
  return `${formatCount(whole / 1e9)}B`;
}

/** "$0.0163", "$3.00": the tooltip's exact figure. @param {number} usd */
export function formatCost(usd) {
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

/** "$0.011", "$0.0008", "$1.25": two or three figures, for the counter's line. @param {number} usd */
export function formatCostShort(usd) {
  if (usd >= 0.1) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(3)}`;
  if (usd >= 0.0001) return `$${Number(usd.toPrecision(2))}`;
  return usd > 0 ? "<$0.0001" : "$0";
}

/**
 * What the counter shows. Before `message_start` reports the input, the kernel's estimate of the request stands
 * in for it, marked approximate ("~"). While streaming, the API's running `output_tokens` lags behind the text,
 * so the larger of it and an estimate from the text and thinking is shown, also approximate, and so is the cost:
 * the figures are exact once the answer has ended. The output shows only once some of it has come (message_start
 * reports one token before any has). Input counts everything sent, with the part read from the cache.
 * @param {{usage?: Usage | null | undefined, text: string, status: string, prices?: Prices | null | undefined,
 *   inputEstimate?: number | null | undefined, thinking?: string, thinkingTokens?: number}} state
 * @returns {UsageDisplay}
 */
export function displayUsage({ usage, text, status, prices, inputEstimate, thinking = "", thinkingTokens = 0 }) {
  const u = usage ?? {};
  const fresh = u.input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const cached = u.cache_read_input_tokens ?? 0;
  const written1h = u.cache_creation_1h_input_tokens ?? 0;
  const inputKnown = fresh + written + cached > 0;
  const exact = isFinished(status); // then usage.output_tokens is final
  const thought = thinkingTokens || estimateTokens(thinking);
  const output = exact ? (u.output_tokens ?? 0) : Math.max(u.output_tokens ?? 0, estimateTokens(text) + thought);
  const outputShown = exact || text !== "" || thinking !== "" || thinkingTokens > 0;
  // The same linear sum as the kernel's (pricing.priced): the rates already carry any tier or multiplier.
  const uncached = inputKnown ? fresh : (inputEstimate ?? 0);
  const costUsd = prices
    ? (uncached * prices.input + (outputShown ? output : 0) * prices.output + (written - written1h) * prices.cache_write +
        written1h * (prices.cache_write_1h ?? prices.cache_write) + cached * prices.cache_read) / 1e6
    : null;
  // What the cache saved: reads below the input price, less the premium paid for writes.
  const savedUsd = prices
    ? (cached * (prices.input - prices.cache_read) - (written - written1h) * (prices.cache_write - prices.input) -
        written1h * ((prices.cache_write_1h ?? prices.cache_write) - prices.input)) / 1e6
    : 0;
  const input = inputKnown ? fresh + written + cached : uncached;

  const approx = exact ? "" : "~";
  const parts = [];
  if (input > 0 || outputShown) {
    parts.push({ text: `${inputKnown ? "" : "~"}${formatCompact(input)} in`, aside: cached ? `${formatCompact(cached)} cached` : "" });
    if (outputShown) parts.push({ text: `${approx}${formatCompact(output)} out`, aside: thought ? `${formatCompact(thought)} thinking` : "" });
    if (costUsd !== null && costUsd > 0) parts.push({ text: `${approx}${formatCostShort(costUsd)}`, aside: "" });
  }
  const label = parts.map(({ text, aside }) => (aside ? `${text} (${aside})` : text)).join(" · ");

  const breakdown = [];
  if (parts.length) {
    breakdown.push(inputKnown ? `Input: ${formatCount(input)} tokens` : `Input: about ${formatCount(input)} tokens (counted before sending)`);
    if (cached) breakdown.push(`  ${formatCount(cached)} read from the cache`);
    if (written) breakdown.push(`  ${formatCount(written)} stored in the cache for follow-ups`);
    if (inputKnown && (cached || written)) breakdown.push(`  ${formatCount(fresh)} not cached`);
    if (outputShown) {
      breakdown.push(exact ? `Output: ${formatCount(output)} tokens` : `Output: about ${formatCount(output)} tokens so far`);
      if (thought) breakdown.push(`  ${exact ? "" : "about "}${formatCount(thought)} of them thinking`);
    } else {
      breakdown.push("Output: nothing yet");
    }
    if (costUsd === null) breakdown.push("Cost: unknown (no price for this model)");
    else breakdown.push(exact ? `Cost: ${formatCost(costUsd)}` : `Cost: about ${formatCost(costUsd)} (estimated until the answer ends)`);
    if (savedUsd > 0) breakdown.push(`Saved by the cache: ${formatCost(savedUsd)}`);
    else if (savedUsd < 0) breakdown.push(`Storing in the cache: ${formatCost(-savedUsd)} extra (follow-ups read it for less)`);
    if (costUsd !== null) breakdown.push(...(prices?.notes ?? []));
  }
  return { input, cached, output, thinking: thought, outputExact: exact, costUsd, label, parts, breakdown };
}
