// The question's attachments, as chips above the answer: a label ("DataFrame · 10,000 × 5"), what a hover
// shows (its columns, a file's path) and, for an image, a thumbnail. The kernel sends only these; the data
// itself never reaches the browser.
import { h } from "./dom.js";

/** @typedef {import("../wire/protocol.js").Chip} Chip */

const ICONS = { table: "▦", image: "▧", file: "▤" }; // shapes every UI font has (no emoji font needed)
// Only a small inline image, never a URL the browser would fetch.
const THUMBNAIL = /^data:image\/(?:png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * What each chip shows, from the trait as the kernel sent it (anything malformed is left out).
 * @param {unknown} chips
 * @returns {{kind: "table" | "image" | "file", label: string, title: string, thumbnail: string | null}[]}
 */
export function chipsOf(chips) {
  if (!Array.isArray(chips)) return [];
  return chips
    .filter((c) => c && typeof c === "object" && typeof c.label === "string" && c.label !== "")
    .map((c) => ({
      kind: c.kind === "table" || c.kind === "image" ? c.kind : "file",
      label: c.label,
      title: typeof c.detail === "string" ? c.detail : "",
      thumbnail: typeof c.thumbnail === "string" && THUMBNAIL.test(c.thumbnail) ? c.thumbnail : null,
    }));
}

/**
 * Fill `list` (a `<ul>`) with the chips; hidden when there are none.
 * @param {HTMLElement} list
 * @param {unknown} chips
 */
export function showChips(list, chips) {
  const doc = list.ownerDocument;
  const shown = chipsOf(chips);
  list.replaceChildren(...shown.map((chip) => {
    const picture = chip.thumbnail
      ? h(doc, "img", { class: "cw-chip-thumbnail", src: chip.thumbnail, alt: "" })
      : h(doc, "span", { class: "cw-chip-icon", "aria-hidden": "true" }, [ICONS[chip.kind]]);
    const attrs = { class: "cw-chip", "data-kind": chip.kind };
    if (chip.title) Object.assign(attrs, { title: chip.title, "aria-label": `${chip.label}; ${chip.title}` });
    return h(doc, "li", attrs, [picture, h(doc, "span", { class: "cw-chip-label" }, [chip.label])]);
  }));
  list.hidden = shown.length === 0;
}
