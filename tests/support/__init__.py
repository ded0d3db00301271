"""Harness code the tests and bench/ share (a Jupyter server and Chromium for the browser; the renderer's harness
page): no tests and no fixtures here."""
