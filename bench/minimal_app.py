"""The baseline for benchmarks: the smallest FastAPI app, served the same way as the portal."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse


def create() -> FastAPI:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return "<!doctype html><title>minimal</title><p>ok</p>"

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app
