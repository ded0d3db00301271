// Bundle the view for the Python package: src/index.js → widget.js and src/ui/styles.css → widget.css
// in ../src/claude_widget/static/; then the JupyterLab extension (src/lab/plugin.js) into
// ../src/claude_widget/labextension/, with JupyterLab's own builder (module federation: JupyterLab's packages
// come from the page, not the bundle). Everything is bundled (no CDN at run time); KaTeX's fonts are
// inlined as woff2 data URLs, its woff/ttf fallbacks dropped (every browser a notebook runs in
// reads woff2).
import { spawnSync } from "node:child_process";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
// `node build.mjs --harness DIR`: the test harness (test/harness/harness.js, the renderer on `window`,
// for the real-browser tests and the benchmark) and the styles, into DIR as harness.js / harness.css.
const harness = process.argv[2] === "--harness";
if (harness && !process.argv[3]) throw new Error("usage: node build.mjs --harness OUTDIR");
const outDir = harness ? process.argv[3] : join(here, "..", "src", "claude_widget", "static");
const [jsName, cssName] = harness ? ["harness.js", "harness.css"] : ["widget.js", "widget.css"];

/** @type {import("esbuild").Plugin} */
const katexCssWoff2Only = {
  name: "katex-css-woff2-only",
  setup(build) {
    build.onLoad({ filter: /[\\/]katex[\\/]dist[\\/]katex\.css$/ }, async (args) => {
      const original = await readFile(args.path, "utf8");
      const css = original
        .replace(/,\s*url\([^)]*\.woff\)\s*format\(["']woff["']\)/g, "")
        .replace(/,\s*url\([^)]*\.ttf\)\s*format\(["']truetype["']\)/g, "")
        // equation counters belong to our root, not to the notebook's <body>
        .replace(/(^|\})\s*body\s*\{/g, "$1 .cw-root {");
      if (/\.(woff|ttf)\)/.test(css) || /(^|\})\s*body\s*\{/.test(css)) {
        throw new Error("katex.css changed shape: woff/ttf fallbacks or the body rule were not rewritten");
      }
      return { contents: css, loader: "css", resolveDir: dirname(args.path) };
    });
  },
};

await mkdir(outDir, { recursive: true });

const common = { bundle: true, minify: true, logLevel: /** @type {const} */ ("warning") };
await esbuild.build({
  ...common,
  entryPoints: [join(here, harness ? "test/harness/harness.js" : "src/index.js")],
  outfile: join(outDir, jsName),
  format: harness ? "iife" : "esm",
  target: "es2020",
});
if (!harness) {
  // Each widget's own small `_esm`: it loads widget.js from the kernel's shared assets model.
  await esbuild.build({ ...common, entryPoints: [join(here, "src/loader.js")], outfile: join(outDir, "loader.js"),
    format: "esm", target: "es2020" });
}
await esbuild.build({
  ...common,
  entryPoints: [join(here, "src", "ui", "styles.css")],
  outfile: join(outDir, cssName),
  loader: { ".woff2": "dataurl" },
  plugins: [katexCssWoff2Only],
});

for (const name of harness ? [jsName, cssName] : [jsName, cssName, "loader.js"]) {
  const path = join(outDir, name);
  const content = await readFile(path);
  if (/url\(\s*["']?(?:https?:)?\/\//.test(content.toString("utf8"))) {
    throw new Error(`${name} refers to a remote URL; everything must be bundled`);
  }
  const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${name.padEnd(10)} ${kib((await stat(path)).size).padStart(10)}  (${kib(gzipSync(content).length)} gzip)`);
}

if (!harness) {
  // The builder reads which packages JupyterLab shares from @jupyterlab/core-meta (installed beside it, so no
  // download), and writes the extension where package.json's `jupyterlab.outputDir` says.
  const builder = join(here, "node_modules", "@jupyter", "builder", "lib", "build-labextension.js");
  const core = join(here, "node_modules", "@jupyterlab", "core-meta", "core.package.json");
  const built = spawnSync(process.execPath, [builder, "--core-package-file", core, here], { stdio: "inherit" });
  if (built.status !== 0) throw new Error(`the JupyterLab extension did not build (exit ${built.status})`);
}
