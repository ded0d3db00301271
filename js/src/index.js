// anywidget entry point: `initialize` runs once per model, `render` once per view.
// Served through the loader (loader.js), which also hands over messages that arrived while it loaded.
import { render } from "./ui/view.js";
import { initialize, replay } from "./wire/model_stream.js";

/** @typedef {import("./wire/protocol.js").WidgetState} WidgetState */

const view = { initialize, render, replay };

// Checked against anywidget's own description of a widget module (replay is ours, for the loader).
export default /** @satisfies {import("@anywidget/types").AnyWidget<WidgetState>} */ (view);
