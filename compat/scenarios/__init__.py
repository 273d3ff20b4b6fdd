"""The scenarios, one module per area; importing this package registers them all, in this order."""

from . import publish, passthrough, routes, grip, delivery, ws, woh, test_target, forwarding  # noqa: F401
