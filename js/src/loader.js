// Each widget's own `_esm`: a small module that loads the real view from the kernel's one shared assets model, so
// the ~890 KB bundle (KaTeX and its fonts, highlight.js, marked) crosses the wire and sits in saved widget state
// once per notebook instead of once per answer.
//
// anywidget evaluates every widget's `_esm` as a module of its own, so nothing here is kept at module level:
// what the loaders of a page share lives on `globalThis` (see `registry`). The view is evaluated once per page
// (per JavaScript realm) and bundle, its styles added once per document (or shadow root).
//
// The code comes through the widget manager (JupyterLab, Notebook 7, VS Code, Colab). A widget that cannot reach
// the assets model (a host without a manager, a notebook reopened with partial state) asks the kernel, once per
// manager; the reply can only arrive after `initialize` has returned (anywidget holds a model's messages until
// then), so nothing waits for it there. Custom messages that arrive before the view is loaded are kept and handed
// over to its `replay`.
import { modelMade } from "./lab/live_models.js";
import { bundleIntent, KIND, randomId } from "./wire/protocol.js";

/** @typedef {import("./wire/protocol.js").Model} Model */
/** @typedef {typeof import("./index.js").default} View the view module's default export */
/** @typedef {[unknown, unknown[] | undefined]} Message a custom message with its binary buffers */
/**
 * One view bundle as this page holds it: its module (evaluated once) and its styles; `id` names its style
 * elements.
 * @typedef {{id: string, view: Promise<View>, css: string}} Bundle
 */
/**
 * What the loaders of one page share.
 * @typedef {{bundles: Map<string, Bundle>, asked: WeakMap<object, Promise<Bundle>>, evaluated: number}} Registry
 *   bundles: by code (the assets model's own string: nothing copied); asked: the bundle a widget manager's kernel
 *   is being asked for (one request per manager at a time); evaluated: how many view modules this page has
 *   evaluated (for tests and benchmarks).
 */

const REGISTRY = Symbol.for("claude-widget.loader.v1");
const ASK_TIMEOUT_MS = 10_000;

/** @returns {Registry} the page's registry, created by the first loader to run */
function registry() {
  const global = /** @type {{[REGISTRY]?: Registry}} */ (/** @type {unknown} */ (globalThis));
  return (global[REGISTRY] ??= { bundles: new Map(), asked: new WeakMap(), evaluated: 0 });
}

/**
 * The page's bundle for this code: evaluated on first use (through a blob: URL, revoked once imported), then
 * shared by every widget.
 * @param {string} code
 * @param {string} css
 * @returns {Bundle}
 */
function bundleOf(code, css) {
  const page = registry();
  const known = page.bundles.get(code);
  if (known) return known;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  page.evaluated += 1;
  const view = import(/* webpackIgnore: true */ url)
    .then((/** @type {{default: View}} */ module) => module.default)
    .finally(() => URL.revokeObjectURL(url));
  const bundle = { id: String(page.evaluated), view, css };
  page.bundles.set(code, bundle);
  // A module that failed to load (e.g. a page policy against blob: scripts) is not kept: the next widget tries.
  view.catch(() => page.bundles.get(code) === bundle && page.bundles.delete(code));
  return bundle;
}

/**
 * The bundle from the shared assets model, if this widget's manager knows it (no kernel round trip).
 * @param {Model} model
 * @returns {Promise<Bundle | null>}
 */
async function fromManager(model) {
  const ref = /** @type {unknown} */ (model.get("assets"));
  const manager = /** @type {Partial<Model["widget_manager"]> | undefined} */ (model.widget_manager);
  if (typeof ref !== "string" || !ref.startsWith("IPY_MODEL_") || typeof manager?.get_model !== "function") {
    return null;
  }
  /** @type {import("@anywidget/types").AnyModel<{code?: string, style?: string}>} */
  let shared;
  try {
    shared = await manager.get_model(ref.slice("IPY_MODEL_".length));
  } catch {
    return null; // not known to this manager (e.g. a notebook reopened with partial state)
  }
  const code = shared.get("code");
  return typeof code === "string" && code ? bundleOf(code, shared.get("style") ?? "") : null;
}

/**
 * Ask the kernel for the bundle through this widget's comm; the reply carries the request's id.
 * @param {Model} model
 * @returns {Promise<Bundle>}
 */
function askKernel(model) {
  const id = randomId();
  return new Promise((resolve, reject) => {
    const onMessage = (/** @type {unknown} */ msg) => {
      const reply = /** @type {{kind?: unknown, id?: unknown, code?: unknown, css?: unknown} | null} */ (msg);
      if (reply?.kind !== KIND.bundle || reply.id !== id) return;
      done();
      if (typeof reply.code === "string" && reply.code) {
        resolve(bundleOf(reply.code, typeof reply.css === "string" ? reply.css : ""));
      } else {
        reject(new Error("the kernel sent no code"));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the kernel did not send it within ${ASK_TIMEOUT_MS / 1000} s`));
    }, ASK_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      model.off("msg:custom", onMessage);
    };
    model.on("msg:custom", onMessage);
    model.send(bundleIntent(id));
  });
}

/**
 * This widget's bundle: from the widget manager, else from the kernel (one request per manager at a time,
 * shared by every widget waiting for it; a failed one is forgotten, so the next widget asks again).
 * @param {Model} model
 * @returns {Promise<Bundle>}
 */
async function bundleFor(model) {
  const local = await fromManager(model);
  if (local) return local;
  const { asked } = registry();
  const scope = /** @type {object} */ (model.widget_manager ?? asked);
  let pending = asked.get(scope);
  if (!pending) {
    const request = askKernel(model);
    asked.set(scope, request);
    request.catch(() => asked.get(scope) === request && asked.delete(scope));
    pending = request;
  }
  return pending;
}

/** @param {unknown} msg */
const isBundleReply = (msg) => /** @type {{kind?: unknown} | null} */ (msg)?.kind === KIND.bundle;

/**
 * Add the bundle's styles once per document, or once per shadow root where a host renders into one.
 * @param {HTMLElement} el
 * @param {Bundle} bundle
 */
function addStyles(el, { id, css }) {
  const doc = el.ownerDocument;
  const place = () => {
    const root = el.getRootNode();
    const holder = root.nodeType === Node.DOCUMENT_FRAGMENT_NODE && "host" in root ? /** @type {ShadowRoot} */ (root) : doc.head;
    if (holder.querySelector(`style[data-claude-widget="${id}"]`)) return;
    const style = doc.createElement("style");
    style.dataset.claudeWidget = id;
    style.textContent = css;
    holder.prepend(style);
  };
  place();
  // Not yet attached: the document's head for now, and the shadow root it lands in, if any, once attached.
  if (!el.isConnected) (doc.defaultView ?? globalThis).requestAnimationFrame(place);
}

/**
 * Say in the widget's element why the answer cannot be shown, and what to do.
 * @param {HTMLElement} el
 * @param {unknown} error
 */
function showFailure(el, error) {
  const box = el.ownerDocument.createElement("div");
  box.className = "cw-load-error";
  box.dataset.role = "load-error";
  box.setAttribute("role", "alert");
  const reason = error instanceof Error ? error.message : String(error);
  box.textContent = `This answer's view could not be loaded: ${reason}. Re-run the cell to show it.`;
  el.replaceChildren(box);
}

export default {
  /**
   * Runs once per model. Returns at once: the view's own `initialize` runs when its code is there, and is
   * handed the custom messages that arrived meanwhile.
   * @param {{model: Model, signal?: AbortSignal}} context
   * @returns {() => void} cleanup, called by anywidget when the model goes away
   */
  initialize({ model }) {
    // For the JupyterLab extension: this model's saved answers show live again (lab/answer_renderer.js).
    const modelGone = modelMade(model.widget_manager);
    /** @type {Message[]} */
    let early = [];
    const keep = (/** @type {unknown} */ msg, /** @type {unknown[] | undefined} */ buffers) => {
      if (!isBundleReply(msg)) early.push([msg, buffers]);
    };
    const stopKeeping = () => {
      model.off("msg:custom", keep);
      early = [];
    };
    model.on("msg:custom", keep);
    let closed = false;
    /** @type {(() => void) | undefined} */
    let cleanup;
    const start = (/** @type {View} */ view) => {
      if (closed) return;
      const result = view.initialize({ model });
      const kept = early;
      stopKeeping();
      view.replay(model, kept);
      if (typeof result === "function") cleanup = result;
    };
    // Waiting on the module itself, so that this runs before any `render` of the model that waits on it.
    bundleFor(model)
      .then((bundle) => bundle.view.then(start))
      .catch(stopKeeping); // each view of this model says what happened (render)
    return () => {
      closed = true;
      stopKeeping();
      cleanup?.();
      modelGone();
    };
  },

  /**
   * Runs once per view: renders as soon as the view's code is there, or says why it cannot.
   * @param {{model: Model, el: HTMLElement, signal?: AbortSignal}} context
   * @returns {Promise<(() => void) | undefined>}
   */
  async render({ model, el, signal }) {
    // Only when loading takes a while (a bundle asked from the kernel): a line of text, no styles yet.
    const slow = setTimeout(() => {
      el.textContent = "Loading the answer's view…";
    }, 300);
    try {
      const bundle = await bundleFor(model);
      const view = await bundle.view;
      if (signal?.aborted) return undefined;
      el.replaceChildren();
      addStyles(el, bundle);
      return view.render(signal ? { model, el, signal } : { model, el });
    } catch (error) {
      showFailure(el, error);
      return undefined;
    } finally {
      clearTimeout(slow);
    }
  },
};
