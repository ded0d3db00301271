// anywidget entry point: `initialize` runs once per model, `render` once per view.
// Served through the loader (loader.js), which also hands over messages that arrived while it loaded.
// One bundle, two widgets: an answer (ui/), or a map job's progress (job/), whose model says `view: "job"`.
import { renderJob } from "./job/job_view.js";
import { render } from "./ui/view.js";
import { initialize, replay } from "./wire/model_stream.js";

/** @typedef {import("./wire/protocol.js").WidgetState} WidgetState */
/** @typedef {import("./wire/protocol.js").Model} Model */

const isJob = (/** @type {Model} */ model) => model.get("view") === "job";

const view = {
  /** @param {{model: Model}} context */
  initialize(context) {
    return isJob(context.model) ? undefined : initialize(context);
  },
  /** @param {{model: Model, el: HTMLElement, signal?: AbortSignal}} context */
  render(context) {
    return isJob(context.model) ? renderJob(/** @type {any} */ (context)) : render(context);
  },
  /** @param {Model} model @param {Parameters<typeof replay>[1]} messages */
  replay(model, messages) {
    return isJob(model) ? undefined : replay(model, messages);
  },
};

// Checked against anywidget's own description of a widget module (replay is ours, for the loader).
export default /** @satisfies {import("@anywidget/types").AnyWidget<WidgetState>} */ (view);
