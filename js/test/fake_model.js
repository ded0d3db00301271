// The one stand-in for anywidget's model in the JS tests: traits, change events, custom messages both
// ways, and a widget manager that knows the models it is given. What the code under test calls is
// anywidget's AnyModel surface (get, set, on, off, send, save_changes, widget_manager); the rest is the
// test's side: what the kernel does (`kernelSends`, `kernelSets`) and what the front end did (`sent`,
// `intents()`, `localSets`, `handlerCount()`).

/**
 * @typedef {(...args: any[]) => void} Handler
 * @typedef {ReturnType<typeof fakeModel>} FakeModel
 */

/**
 * @param {Record<string, any>} [traits] the synced state the front end starts from (`text` defaults to "")
 * @param {{models?: Record<string, any>}} [options] models the widget manager knows, by model id
 */
export function fakeModel(traits = {}, { models = {} } = {}) {
  /** @type {Record<string, any>} */
  const state = { text: "", ...traits };
  /** @type {Map<string, Set<Handler>>} */
  const handlers = new Map();
  /** @type {object[]} everything the front end sent, in order */
  const sent = [];
  /** @type {string[]} traits the front end set on its own copy of the model */
  const localSets = [];
  const emit = (/** @type {string} */ event, /** @type {any[]} */ ...args) => {
    for (const fn of [...(handlers.get(event) ?? [])]) fn(...args);
  };
  return {
    // -- anywidget's model -------------------------------------------------------------------------
    get: (/** @type {string} */ name) => state[name],
    /** a local change (anywidget's `model.set` without `save_changes`: never sent to the kernel) */
    set: (/** @type {string} */ name, /** @type {any} */ value) => {
      localSets.push(name);
      if (state[name] === value) return;
      state[name] = value;
      emit(`change:${name}`, value);
    },
    on: (/** @type {string} */ event, /** @type {Handler} */ fn) => {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)?.add(fn);
    },
    /** like Backbone: no callback removes every handler of the event, no event every handler */
    off: (/** @type {string | null} */ event, /** @type {Handler | null} */ fn) => {
      if (!event) handlers.clear();
      else if (!fn) handlers.delete(event);
      else handlers.get(event)?.delete(fn);
    },
    send: (/** @type {object} */ content) => {
      sent.push(content);
    },
    save_changes: () => {},
    widget_manager: {
      /**
       * @param {string} id
       * @returns {Promise<any>}
       */
      get_model: async (id) => {
        if (!Object.hasOwn(models, id)) throw new Error(`no model ${id}`);
        return models[id];
      },
    },

    // -- the test's side ---------------------------------------------------------------------------
    /** another wrapper of the same model, as anywidget hands one to `initialize` and one to each `render` */
    wrapper() {
      return { ...this, get: this.get, set: this.set, on: this.on, off: this.off, send: this.send };
    },
    sent,
    localSets,
    /** what the front end sent besides the one `follow` of initialize, without its random `frontend` id */
    intents: () =>
      sent
        .filter((m) => /** @type {{intent?: string}} */ (m).intent !== "follow")
        .map((m) => Object.fromEntries(Object.entries(m).filter(([key]) => key !== "frontend"))),
    handlerCount: () => [...handlers.values()].reduce((n, s) => n + s.size, 0),
    /**
     * The kernel sending a custom message (with its binary buffers).
     * @param {unknown} msg
     * @param {unknown[]} [buffers]
     */
    kernelSends: (msg, buffers = []) => emit("msg:custom", msg, buffers),
    /**
     * The kernel syncing a trait.
     * @param {string} name
     * @param {any} value
     */
    kernelSets: (name, value) => {
      state[name] = value;
      emit(`change:${name}`, value);
    },
  };
}
