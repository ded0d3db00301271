// Which answers this page can show live: the widget managers that hold a ChatWidget model, as the widget loader
// (loader.js) meets them. The JupyterLab extension (plugin.js) asks it whether a saved answer's model is here,
// and is told when that may have changed: a model made (a cell ran, saved widget state was restored, a reloaded
// page reconnected) or gone (closed by the kernel).
//
// The loader and the extension are bundled apart, so what they share lives on `globalThis`.

/** @typedef {{has_model(modelId: string): boolean}} WidgetManager the part of a Jupyter widget manager used here */
/** @typedef {{managers: Set<WidgetManager>, listeners: Set<() => void>}} LiveModels */

const KEY = Symbol.for("claude-widget.live-models.v1");

/** @returns {LiveModels} the page's registry, created on first use */
function page() {
  const global = /** @type {{[KEY]?: LiveModels}} */ (/** @type {unknown} */ (globalThis));
  return (global[KEY] ??= { managers: new Set(), listeners: new Set() });
}

/**
 * Whether the model with this id is in one of the page's widget managers.
 * @param {string} modelId
 */
export function isLive(modelId) {
  for (const manager of page().managers) if (manager.has_model(modelId)) return true;
  return false;
}

/**
 * A ChatWidget model was made in this manager. Returns what to call when it goes away.
 * @param {unknown} manager the model's `widget_manager`: a Jupyter widget manager, or what another host gives
 * @returns {() => void}
 */
export function modelMade(manager) {
  if (isWidgetManager(manager)) page().managers.add(manager);
  changed();
  // A manager drops a closed model only after closing it: ask again once that is done.
  return () => queueMicrotask(changed);
}

/**
 * Calls `listener` whenever a model may have come or gone. Returns the unsubscribe.
 * @param {() => void} listener
 */
export function onChange(listener) {
  const { listeners } = page();
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** @returns {manager is WidgetManager} */
const isWidgetManager = (/** @type {unknown} */ manager) =>
  typeof (/** @type {{has_model?: unknown}} */ (manager)?.has_model) === "function";

function changed() {
  for (const listener of [...page().listeners]) listener();
}
