"""Pages for people: the estimate, the comparison and the rulebook, server-rendered with Jinja2.

Chinese by default, English with ``?lang=en`` (or a form's ``lang`` field, or ``Accept-Language``).
The pages are thin: they read a form, call the engine's public API as the JSON API does, and render
what it returns. They work without JavaScript; a little script only adds rows and focuses errors.
"""

from __future__ import annotations

from .views import blp

__all__ = ["blp"]
