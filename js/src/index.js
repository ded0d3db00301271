// anywidget entry point: `initialize` runs once per model, `render` once per view.
// Served through the loader (loader.js), which also hands over messages that arrived while it loaded.
import { initialize, replay } from "./model_stream.js";
import { render } from "./view.js";

export default { initialize, render, replay };
