"""The wheel as a user installs it (tests/test_install.py builds it and installs it into a fresh virtualenv): a
JupyterLab started from that virtualenv, its kernel that virtualenv's Python, shows the widget streaming an offline
answer, from the front end and the extension the wheel carries."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ..test_install import installed_wheel
from .conftest import Lab, free_port, screenshot, show_widget, stop_server, wait_until_up

pytestmark = [pytest.mark.browser, pytest.mark.build]  # the build tier's wheel and virtualenv


def test_jupyterlab_from_the_installed_wheel_shows_the_widget(tmp_path: Path, page: Any) -> None:
    with installed_wheel(tmp_path) as (venv, env):
        root = tmp_path / "root"
        settings = root / ".lab-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.cells = [
            nbformat.v4.new_code_cell("import sys, claude_widget\nprint(sys.prefix, claude_widget.__file__)"),
            nbformat.v4.new_code_cell("from claude_widget import Chat\nChat(offline=True).send('Hi')"),
        ]
        nbformat.write(notebook, root / "installed.ipynb")
        port = free_port()
        env |= {"JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(settings.parents[1])}
        command = [
            venv / "bin" / "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
            "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        ]  # fmt: skip
        with open(tmp_path / "server.log", "w") as log:
            process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                url = f"http://127.0.0.1:{port}"
                wait_until_up(url + "/api/status", process, tmp_path / "server.log")
                widget = show_widget(page, Lab(url, root), "installed.ipynb")
                page.wait_for_function(
                    "el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=90_000
                )
                printed = page.locator(".jp-OutputArea-output").first.inner_text()
                assert str(venv) in printed and "site-packages/claude_widget" in printed, printed
                assert widget.locator("[data-role=offline]").is_visible()
                assert "Offline demo" in widget.locator("[data-role=content]").inner_text()
                screenshot(page, "installed-wheel.png")
            finally:
                stop_server(process)
