// The answer's sources, as footnotes below it: each cited passage quoted, with where it is ("report.pdf, p. 3",
// a web page). The text's markers (markdown/citation_refs.js) link here; the kernel numbers them (citations.py).
import { safeHref } from "../markdown/safe_url.js";
import { h } from "./dom.js";

/** @typedef {import("../wire/protocol.js").CitationInfo} CitationInfo */

/**
 * What each footnote shows, in the order of its number (anything malformed is left out).
 * @param {unknown} citations the `citations` trait
 * @returns {{number: number, quote: string, source: string, url: string | null}[]}
 */
export function sourcesOf(citations) {
  if (!Array.isArray(citations)) return [];
  return citations
    .filter((c) => c && typeof c === "object" && Number.isInteger(c.number) && c.number > 0)
    .map((c) => {
      const url = typeof c.url === "string" ? safeHref(c.url) : null;
      return {
        number: c.number,
        quote: typeof c.cited_text === "string" ? c.cited_text.replace(/\s+/g, " ").trim() : "",
        source: typeof c.source === "string" ? c.source : "",
        url: url && /^https?:/i.test(url) ? url : null,
      };
    })
    .sort((a, b) => a.number - b.number);
}

/** The footnotes' section, hidden until there is a source. */
export function createSources(/** @type {Document} */ doc) {
  const list = h(doc, "ol", { class: "cw-sources-list" });
  const element = h(doc, "section", { class: "cw-sources", "data-role": "sources", "aria-label": "Sources", hidden: "" }, [
    h(doc, "div", { class: "cw-sources-title" }, ["Sources"]), list,
  ]);
  let shown = /** @type {unknown} */ (null);
  return {
    element,
    /** @param {unknown} citations */
    update(citations) {
      if (citations === shown) return;
      shown = citations;
      const sources = sourcesOf(citations);
      list.replaceChildren(...sources.map((s) => {
        const where = s.url
          ? h(doc, "a", { href: s.url, target: "_blank", rel: "noopener noreferrer" }, [s.source || s.url])
          : doc.createTextNode(s.source);
        return h(doc, "li", { value: String(s.number), "data-cite": String(s.number), tabindex: "-1" }, [
          h(doc, "q", { class: "cw-source-quote" }, [s.quote]), " ", h(doc, "cite", {}, [where]),
        ]);
      }));
      element.hidden = sources.length === 0;
    },
    /**
     * Bring a footnote into view and mark it, for a click on its marker.
     * @param {string} number
     */
    show(number) {
      const item = /** @type {HTMLElement | null} */ (list.querySelector(`li[data-cite="${CSS.escape(number)}"]`));
      if (!item) return;
      item.scrollIntoView({ block: "nearest" });
      item.focus({ preventScroll: true });
      item.classList.remove("cw-source-shown");
      void item.offsetWidth; // restart the highlight
      item.classList.add("cw-source-shown");
    },
  };
}
