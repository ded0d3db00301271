// Make a half-streamed markdown text display sanely: close what the model has opened but not yet
// closed. Applied while streaming only, never to the final text. Deliberately conservative: when in
// doubt it leaves the text alone, since the next delta will settle the question anyway.
import { canOpen, closes, fenceLine } from "./fences.js";

const NEW_BLOCK_LINE = /[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}(?:[ \t]|$)|>|\|)/y;
const DELIMITER_RUN = /`+|\*+|_+|~~|\$\$/y;
const UNFINISHED_LINK = /(!?)\[([^[\]\n]*)\]\([^)\n]*$/;

/**
 * @typedef {{marker: string, at: number}} Opener
 * @typedef {import("./fences.js").FenceLine & {lineStart: number, quote: number, prefix: string}} OpenFence
 *   prefix: what goes before its closing fence (the quote markers and the indentation of its item)
 */

const LIST_MARKER = /^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)/;
const QUOTE_MARKER = /^ {0,3}>[ \t]?/;

/**
 * The column a run of leading whitespace reaches (a tab goes to the next multiple of four).
 * @param {string} line
 */
function indentOf(line) {
  let column = 0;
  for (const ch of line) {
    if (ch === " ") column++;
    else if (ch === "\t") column += 4 - (column % 4);
    else break;
  }
  return column;
}

/**
 * A line's block quote markers, at most `most` of them: how many, and the line without them.
 * @param {string} line
 * @param {number} most
 */
function unquote(line, most = Infinity) {
  let depth = 0;
  let body = line;
  for (let marker; depth < most && (marker = QUOTE_MARKER.exec(body)); depth++) body = body.slice(marker[0].length);
  return { depth, body, prefix: line.slice(0, line.length - body.length) };
}

/**
 * Scan the lines of a text for code blocks. Returns the open fence at the end, if any, whether the text
 * ends in indented code, and where the last block outside code starts (after the last blank line or the
 * end of a code block). Containers are followed only as far as code needs: a block quote's markers are
 * taken off each line (a line without them ends a fence inside the quote: code has no lazy lines), a
 * line's indentation says which list item it belongs to, an item's content column is where code in it is
 * measured from (four more is indented code, not a fence), a fence may open on the item's marker line
 * ("- " then the fence), and a fence ends with its item or quote (CommonMark), closed or not.
 * @param {string} text
 */
function scanCode(text) {
  /** @type {OpenFence | null} */
  let open = null;
  let openColumn = 0; // the content column of the list item the open fence is in (0: the top level)
  let inIndentedCode = false;
  let afterBlank = true; // indented code cannot interrupt a paragraph
  let lastBlockStart = 0;
  let lineStart = 0;
  let quoteDepth = 0;
  /** @type {number[]} the content columns of the list items the current line may be in, outermost first */
  let items = [];
  const lines = text.split("\n");
  for (const [index, fullLine] of lines.entries()) {
    // Inside a fence, only the quotes it opened in are markers: a further `>` is code.
    const { depth, body: line, prefix: quotePrefix } = unquote(fullLine, open ? open.quote : Infinity);
    const blank = !line.trim();
    if (open && depth < open.quote && !(blank && index === lines.length - 1)) {
      open = null; // its quote has ended (an empty last line may yet get its markers)
      lastBlockStart = lineStart;
    }
    if (depth !== quoteDepth) items = []; // another container: its own lists
    quoteDepth = depth;
    const indent = indentOf(line);
    if (!blank) while (items.length > 0 && indent < items[items.length - 1]) items.pop();
    if (open && !blank && indent < openColumn) {
      open = null; // its list item has ended
      lastBlockStart = lineStart;
    }
    const column = items[items.length - 1] ?? 0;
    const fence = fenceLine(line);
    if (open) {
      if (fence && closes(fence, open)) {
        open = null;
        lastBlockStart = lineStart + fullLine.length + 1;
      }
    } else if (!blank && indent >= column + 4 && (afterBlank || inIndentedCode)) {
      inIndentedCode = true;
    } else if (fence && canOpen(fence) && indent < column + 4) {
      inIndentedCode = false;
      open = { ...fence, lineStart, quote: depth, prefix: quotePrefix + fence.indent };
      openColumn = column;
    } else if (blank) {
      if (index < lines.length - 1) lastBlockStart = lineStart + fullLine.length + 1;
    } else {
      if (inIndentedCode) lastBlockStart = lineStart;
      inIndentedCode = false;
      // An item's marker, or markers (`1. - a`); what follows the last may open a fence.
      let rest = line;
      let restColumn = 0;
      for (let marker; (marker = LIST_MARKER.exec(rest));) {
        const spaces = marker[3].length;
        const markerEnd = restColumn + indentOf(marker[1]) + marker[2].length;
        restColumn = markerEnd + (spaces === 0 || spaces > 4 ? 1 : spaces);
        items.push(restColumn);
        rest = rest.slice(marker[0].length);
      }
      const itemFence = rest !== line ? fenceLine(rest) : null;
      if (itemFence && canOpen(itemFence) && indentOf(rest) < 4) {
        open = { ...itemFence, lineStart, quote: depth, prefix: quotePrefix + " ".repeat(restColumn) + itemFence.indent };
        openColumn = restColumn;
      }
    }
    if (!blank || index < lines.length - 1) afterBlank = blank;
    lineStart += fullLine.length + 1;
  }
  return { open, inIndentedCode, lastBlockStart: Math.min(lastBlockStart, text.length) };
}

/**
 * Close the open code fence; a half-typed closing fence on the last line is completed instead.
 * @param {string} text
 * @param {OpenFence} open
 */
function closeFence(text, open) {
  const lastNewline = text.lastIndexOf("\n");
  const lastLine = unquote(text.slice(lastNewline + 1), open.quote);
  const partialCloser = new RegExp(`^[ \\t]*\\${open.run[0]}{1,${open.run.length}}$`);
  if (lastNewline >= open.lineStart && lastLine.depth === open.quote && partialCloser.test(lastLine.body)) {
    return `${text.slice(0, lastNewline + 1)}${open.prefix}${open.run}`;
  }
  return `${text}${text.endsWith("\n") ? "" : "\n"}${open.prefix}${open.run}`;
}

const isSpace = (/** @type {string | undefined} */ ch) => ch === undefined || /\s/.test(ch);
const isAlnum = (/** @type {string | undefined} */ ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/**
 * The inline constructs left open at the end of one block of text, innermost last.
 * @param {string} block
 * @returns {Opener[]}
 */
function openInlineMarkers(block) {
  /** @type {Opener[]} */
  let stack = [];
  const top = () => stack[stack.length - 1];
  let lineStart = true;
  for (let i = 0; i < block.length; i++) {
    const ch = block[i];
    if (lineStart) {
      lineStart = false;
      // emphasis and code spans do not cross into a new list item, heading, quote or table row
      NEW_BLOCK_LINE.lastIndex = i;
      if (NEW_BLOCK_LINE.test(block)) stack = stack.filter((o) => o.marker === "$$");
    }
    if (ch === "\n") {
      lineStart = true;
      continue;
    }
    const inCode = top()?.marker[0] === "`";
    const inMath = top()?.marker === "$$";
    DELIMITER_RUN.lastIndex = i;
    const run = DELIMITER_RUN.exec(block)?.[0];
    if (ch === "\\" && !inCode) {
      i++;
      continue;
    }
    if (!run) continue;
    i += run.length - 1;
    if (inCode) {
      if (run === top().marker) stack.pop();
      continue;
    }
    if (run[0] === "`") {
      if (!inMath) stack.push({ marker: run, at: i - run.length + 1 });
      continue;
    }
    if (run === "$$") {
      if (inMath) stack.pop();
      else stack.push({ marker: run, at: i - 1 });
      continue;
    }
    if (inMath) continue;
    const before = block[i - run.length];
    const after = block[i + 1];
    if (run === "~~") {
      if (top()?.marker === "~~" && !isSpace(before)) stack.pop();
      else if (!isSpace(after)) stack.push({ marker: run, at: i - 1 });
      continue;
    }
    // `*` / `_` runs: a closer follows non-space, an opener precedes non-space; `_` inside a word
    // (snake_case) is neither, and a lone `*` or `-` bullet is followed by a space so never opens.
    const intraword = run[0] === "_" && isAlnum(before) && isAlnum(after);
    if (intraword) continue;
    let remaining = run.length;
    if (!isSpace(before)) {
      while (remaining > 0 && top()?.marker[0] === run[0] && top().marker.length <= remaining) {
        remaining -= /** @type {Opener} */ (stack.pop()).marker.length;
      }
    }
    if (remaining > 0 && !isSpace(after)) {
      const at = i - remaining + 1;
      if (remaining >= 2) stack.push({ marker: run[0].repeat(2), at });
      if (remaining % 2 === 1) stack.push({ marker: run[0], at: at + (remaining >= 2 ? 2 : 0) });
    }
  }
  return stack;
}

/**
 * Heal the inline constructs of the last block: drop openers with nothing after them yet,
 * close the others innermost first.
 * @param {string} block
 */
function healBlock(block) {
  let healed = block.replace(UNFINISHED_LINK, "$2");
  if (/(^|[^\\])(\\\\)*\\$/.test(healed)) healed = healed.slice(0, -1); // a lone trailing backslash
  // A delimiter that cannot open anything yet (`hello **`, `costs $`) would flash as a literal.
  healed = healed.replace(/(^|\s)[*_~`$]+$/, "$1");
  const stack = openInlineMarkers(healed);
  while (stack.length > 0) {
    const last = /** @type {Opener} */ (stack[stack.length - 1]);
    if (healed.slice(last.at + last.marker.length).trim()) break;
    healed = healed.slice(0, last.at);
    stack.pop();
  }
  if (stack.length === 0) return healed;
  const closers = stack.map((o) => o.marker).reverse().join("");
  return healed.trimEnd() + closers;
}

/**
 * Make an incomplete streamed markdown text render sanely: close an unclosed code fence (indented code
 * is left as it is), inline
 * code, `**`, `*`/`_`, `~~` and `$$`; an unfinished link `[text](http://parti` shows as its text.
 * @param {string} text
 * @returns {string}
 */
export function healTail(text) {
  const { open, inIndentedCode, lastBlockStart } = scanCode(text);
  if (open) return closeFence(text, open);
  if (inIndentedCode) return text; // code: nothing in it is a marker
  return text.slice(0, lastBlockStart) + healBlock(text.slice(lastBlockStart));
}
