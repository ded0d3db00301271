// anywidget entry point: `initialize` runs once per model, `render` once per view.
import { initialize } from "./model_stream.js";
import { render } from "./view.js";

export default { initialize, render };
