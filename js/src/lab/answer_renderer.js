// How a finished answer's output shows in a JupyterLab or Notebook 7 notebook: the live widget while its model is
// in this page, and otherwise the answer's saved markdown, rendered by JupyterLab itself (code highlighted, math
// typeset, tables), instead of "Error displaying widget: model not found". That is a notebook reopened after the
// kernel that made the answer is gone, with the widget manager's default settings (no saved widget state).
//
// It follows the model: saved widget state restored later, or a page reconnecting to the kernel that made the
// answer, brings the widget back; a model closed by the kernel (`w.close()`) brings the saved answer back.
//
// The kernel's final update of the output (its saved markdown, complete) comes here too: the widget shown is not
// drawn again (a second view would lose the reader's scroll and open sections). An answer saved while it was still
// streaming shows its saved markdown, which says so ("… is still answering"), until its model is in the page.
import { Panel } from "@lumino/widgets";
import { isLive, onChange } from "./live_models.js";

export const WIDGET_MIME = "application/vnd.jupyter.widget-view+json";
const SAVED_MIME = "text/markdown"; // the answer as the kernel saved it (display.py)

/**
 * @typedef {{data: Readonly<Record<string, unknown>>, trusted: boolean}} MimeModel an output, every entry of its
 *   bundle
 * @typedef {import("@lumino/widgets").Widget & {renderModel(model: MimeModel): Promise<void>}} Renderer
 * @typedef {{createRenderer(mimeType: string): Renderer}} RenderMime JupyterLab's rendermime registry (a
 *   notebook's own: the one its widget manager renders with)
 */

export class AnswerRenderer extends Panel {
  /** @param {RenderMime} rendermime */
  constructor(rendermime) {
    super();
    this.addClass("cw-answer-output");
    this.rendermime = rendermime;
    /** @type {MimeModel | null} */
    this.output = null;
    /** @type {"live" | "saved" | null} */
    this.shown = null;
    this.stopFollowing = onChange(() => void this.follow());
  }

  /** @param {MimeModel} model */
  async renderModel(model) {
    const again = this.output !== null && modelIdOf(this.output) === modelIdOf(model);
    this.output = model;
    // The same widget's output updated: the view stays, the saved answer (if shown) is drawn anew.
    if (!(again && this.shown === "live")) this.shown = null;
    await this.follow();
  }

  /** Shows the widget if its model is here, else the saved answer; nothing new if that is already shown. */
  async follow() {
    const model = this.output;
    if (model === null || this.isDisposed) return;
    // The widget's renderer only once its model is here: one made before the page has its widget manager never
    // gets it (the manager is handed only to the renderers it finds in outputs, not to this one's).
    const want = isLive(modelIdOf(model)) ? "live" : "saved";
    if (want === this.shown) return;
    this.shown = want;
    this.node.dataset.shown = want;
    for (const child of [...this.widgets]) child.dispose();
    const renderer = this.rendermime.createRenderer(want === "live" ? WIDGET_MIME : SAVED_MIME);
    this.addWidget(renderer);
    await renderer.renderModel(model);
  }

  /** @override */
  dispose() {
    this.stopFollowing();
    super.dispose();
  }
}

/** @param {MimeModel} model the id of the widget model an output shows ("" if none) */
function modelIdOf(model) {
  return /** @type {{model_id?: string} | undefined} */ (model.data[WIDGET_MIME])?.model_id ?? "";
}
