"""The web side of the portal: FastAPI app, routes, auth, i18n wiring and the CLI."""
