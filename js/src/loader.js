// Each widget's own `_esm`: a few hundred bytes that load the real view from the kernel's one shared
// assets model, so the ~900 KB bundle (KaTeX and its fonts, highlight.js, marked) crosses the wire and sits
// in saved widget state once per notebook instead of once per answer.
//
// The code comes through the widget manager (JupyterLab, Notebook 7, VS Code, Colab); hosts without one
// get it by asking the kernel. Custom messages that arrive while it loads are kept and handed over.

/** @typedef {{default: {initialize(ctx: object): unknown, render(ctx: object): unknown, replay(model: object, msgs: Array<[unknown, unknown[] | undefined]>): void}}} ViewModule */

/** @type {Map<string, Promise<ViewModule>>} */
const modules = new Map();
/** @type {WeakMap<object, Promise<{code: string, css: string}>>} */
const assetsOf = new WeakMap();

/**
 * @param {any} model
 * @returns {Promise<{code: string, css: string}>}
 */
function assets(model) {
  let pending = assetsOf.get(model);
  if (!pending) {
    pending = fetchAssets(model);
    assetsOf.set(model, pending);
  }
  return pending;
}

/** @param {any} model */
async function fetchAssets(model) {
  const ref = model.get("assets");
  const manager = model.widget_manager;
  if (typeof ref === "string" && ref.startsWith("IPY_MODEL_") && typeof manager?.get_model === "function") {
    try {
      const shared = await manager.get_model(ref.slice("IPY_MODEL_".length));
      return { code: shared.get("code"), css: shared.get("style") };
    } catch {
      // not known to this manager (e.g. a notebook reopened with partial state): ask the kernel
    }
  }
  return new Promise((resolve) => {
    const onMessage = (/** @type {any} */ msg) => {
      if (msg?.kind !== "bundle") return;
      model.off("msg:custom", onMessage);
      resolve({ code: msg.code, css: msg.css });
    };
    model.on("msg:custom", onMessage);
    model.send({ intent: "bundle" });
  });
}

/** @param {string} code */
function load(code) {
  let module = modules.get(code);
  if (!module) {
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    module = import(/* webpackIgnore: true */ url);
    modules.set(code, module);
  }
  return module;
}

/**
 * Add the styles once per document (or per shadow root, where hosts like marimo render widgets).
 * @param {Node} root
 * @param {string} css
 */
function addStyles(root, css) {
  const doc = /** @type {Document} */ (root.ownerDocument ?? root);
  const holder = root instanceof (doc.defaultView?.ShadowRoot ?? Object) && root !== doc ? root : doc.head;
  if (/** @type {ParentNode} */ (holder).querySelector?.("style[data-claude-widget]")) return;
  const style = doc.createElement("style");
  style.dataset.claudeWidget = "";
  style.textContent = css;
  holder.prepend(style);
}

export default {
  /** @param {{model: any}} context */
  async initialize({ model }) {
    // anywidget waits for this before rendering, so views always find the streams set up.
    /** @type {Array<[unknown, unknown[] | undefined]>} */
    const early = [];
    const keep = (/** @type {unknown} */ msg, /** @type {unknown[] | undefined} */ buffers) => early.push([msg, buffers]);
    model.on("msg:custom", keep);
    try {
      const { code } = await assets(model);
      const view = (await load(code)).default;
      const cleanup = view.initialize({ model });
      view.replay(model, early);
      return cleanup;
    } finally {
      model.off("msg:custom", keep);
    }
  },

  /** @param {{model: any, el: HTMLElement, signal?: AbortSignal}} context */
  async render({ model, el, signal }) {
    const { code, css } = await assets(model);
    addStyles(el.getRootNode(), css);
    const view = (await load(code)).default;
    return view.render({ model, el, signal });
  },
};
