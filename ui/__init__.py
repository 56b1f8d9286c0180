"""The Gradio chat window.

Importing the package sets the offline variables before ``ui.app`` imports
gradio (which reads ``GRADIO_ANALYTICS_ENABLED`` at import time).
"""

from qa import offline as _offline  # noqa: F401
