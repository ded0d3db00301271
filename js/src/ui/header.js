// The header's facts besides the counter: the model, its effort, the turn of the conversation (past the first) and
// the answer's time, short for the header line
// (the CSS drops them first when the widget is narrow) and in full for the counter's tooltip.

/**
 * "3 s", "4.2 s", "2 min 5 s": whole seconds while the clock runs (it ticks once a second), tenths under ten
 * seconds once the time is final.
 * @param {number} seconds
 * @param {boolean} final
 */
export function formatElapsed(seconds, final) {
  if (final && seconds < 9.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * @param {{model?: string | null | undefined, effort?: string | null | undefined, elapsedSeconds: number | null,
 *   final: boolean, turn?: number | undefined}} facts
 *   elapsedSeconds: null while nothing has been timed; turn: the question's place in its conversation, from 1
 * @returns {{model: string, effort: string, turn: string, elapsed: string, details: string[]}}
 */
export function headerFacts({ model, effort, elapsedSeconds, final, turn = 1 }) {
  const elapsed = elapsedSeconds === null ? "" : formatElapsed(elapsedSeconds, final);
  const details = [];
  if (model) details.push(`Model: ${model}${effort ? `, ${effort} effort` : ""}`);
  // A later turn is sent with every earlier one: say so, since re-running a cell continues the conversation.
  const earlier = turn - 1;
  if (earlier > 0) {
    details.push(`Turn ${turn} of a conversation: sent with the ${earlier === 1 ? "earlier turn" : `${earlier} earlier turns`}`
      + " (chat.reset() starts over)");
  }
  if (elapsed) details.push(`Time: ${elapsed}${final ? "" : " so far"}`);
  return { model: model ?? "", effort: effort ? `${effort} effort` : "", turn: earlier > 0 ? `turn ${turn}` : "", elapsed, details };
}
