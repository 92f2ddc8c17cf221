"""Subcommands of ``portal`` beyond the core ones, one module each.

Every module here defines ``command`` (a click command or group); ``portal.cli`` adds them all.
"""
