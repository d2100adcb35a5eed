"""The Gradio chat UI of qa: ``QAApp(qa).launch()``; imports gradio, so load it only to serve."""

from __future__ import annotations

from ui.app import QAApp

__all__ = ["QAApp"]
