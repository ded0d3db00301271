// How a fenced code block's lines are recognised, written once for heal.js (which closes a fence left open
// while streaming) and blocks.js (which freezes a block once its closing fence is complete). The rules are
// CommonMark's, as marked applies them:
// - a fence is a run of three or more backticks or tildes; a backtick fence's info string may not contain a
//   backtick (then the line is inline code, not a fence);
// - a closing fence uses the opener's character, is at least as long, and only spaces or tabs follow it
//   (anything else, even a no-break space, leaves the block open);
// - at the top level a fence is indented by at most three spaces (four make indented code).

const FENCE_LINE = /^([ \t]*)(`{3,}|~{3,})([^\n]*?)\r?$/;
const TOP_LEVEL_INDENT = /^ {0,3}$/;
const CLOSER_REST = /^[ \t]*$/;

/** @typedef {{indent: string, run: string, info: string}} FenceLine a line that starts with a fence run */

/**
 * The fence run of a line, whatever its indentation (inside a list item a fence is indented further; the
 * caller decides with `isTopLevel` whether the indentation allows a fence where it is).
 * @param {string} line one line, without its "\n"
 * @returns {FenceLine | null}
 */
export function fenceLine(line) {
  const match = FENCE_LINE.exec(line);
  return match && { indent: match[1], run: match[2], info: match[3] };
}

/**
 * Whether a fence line's indentation allows a fence at the top level of the document.
 * @param {FenceLine} fence
 */
export function isTopLevel(fence) {
  return TOP_LEVEL_INDENT.test(fence.indent);
}

/**
 * Whether a fence line can open a code block.
 * @param {FenceLine} fence
 */
export function canOpen(fence) {
  return !(fence.run[0] === "`" && fence.info.includes("`"));
}

/**
 * Whether a fence line closes the block that `opener` opened.
 * @param {FenceLine} fence
 * @param {FenceLine} opener
 */
export function closes(fence, opener) {
  return fence.run[0] === opener.run[0] && fence.run.length >= opener.run.length && CLOSER_REST.test(fence.info);
}
