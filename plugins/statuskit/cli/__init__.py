"""The `statuskit` command line: validate, new, update, resolve, build, preview, announce, notify,
import, stats and pr-summary, with what only commands use (publishing, sending notifications, the
PR summary, terminal stats).

May import: every other layer and click. Nothing imports it but the console script.
"""
