// The JupyterLab (and Notebook 7) extension of claude-widget: every notebook renders finished answers through
// `AnswerRenderer`, so a reopened notebook shows them (docs/hosts.md, "Reopened notebooks").
//
// Only our own entry of an output's bundle is rendered here, so other widgets are left as they were. It ranks
// before the widget manager's renderer, and like it only in trusted notebooks: an untrusted one shows the saved
// markdown anyway.
import { ANSWER_MIME } from "../wire/protocol.js";
import { AnswerRenderer } from "./answer_renderer.js";

const RANK = -20; // the widget manager's is -10

/**
 * @typedef {import("./answer_renderer.js").RenderMime & {
 *   addFactory(factory: {safe: boolean, mimeTypes: string[], createRenderer(options: unknown): AnswerRenderer},
 *     rank?: number): void,
 * }} NotebookRenderMime
 * @typedef {{content: {rendermime: NotebookRenderMime}}} NotebookPanel
 * @typedef {{docRegistry: {addWidgetExtension(widgetName: string,
 *   extension: {createNew(panel: NotebookPanel): void}): unknown}}} JupyterFrontEnd
 */

const plugin = {
  id: "claude-widget:saved-answers",
  description: "Shows a finished Claude answer from its saved markdown when its widget is gone.",
  autoStart: true,
  /** @param {JupyterFrontEnd} app */
  activate(app) {
    // Each notebook has its own rendermime, where its widget manager puts its renderer; ours goes there too,
    // when the notebook is made (before its outputs are rendered).
    app.docRegistry.addWidgetExtension("Notebook", {
      createNew(panel) {
        const { rendermime } = panel.content;
        rendermime.addFactory(
          { safe: false, mimeTypes: [ANSWER_MIME], createRenderer: () => new AnswerRenderer(rendermime) },
          RANK,
        );
      },
    });
  },
};

export default plugin;
