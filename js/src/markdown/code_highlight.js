// highlight.js core with an explicit, curated set of grammars (the "common" bundle is much larger).
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import r from "highlight.js/lib/languages/r";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { escapeHtml } from "./safe_url.js";

const highlighter = hljs.newInstance();
const GRAMMARS = {
  bash, c, cpp, css, diff, go, java, javascript, json, markdown, plaintext,
  python, r, rust, shell, sql, typescript, xml, yaml,
};
for (const [name, grammar] of Object.entries(GRAMMARS)) highlighter.registerLanguage(name, grammar);

/**
 * Highlighted HTML for a code block, or escaped plain text when the language is unknown.
 * Never auto-detects: a wrong guess is worse than no colour.
 * @param {string} code
 * @param {string} language a name or alias as written after the fence, e.g. "py"
 * @returns {{html: string, language: string | null}} language: the name as written, lowercased, if known
 */
export function highlightCode(code, language) {
  const grammar = language ? highlighter.getLanguage(language) : undefined;
  if (!grammar) return { html: escapeHtml(code), language: null };
  const result = highlighter.highlight(code, { language, ignoreIllegals: true });
  return { html: result.value, language: language.toLowerCase() };
}
