"""``syncscope serve``: a configurator in the browser and an HTTP API, on the public API.

- :mod:`~syncscope.serve.engine`: the questions the API answers, one compiled model, no HTTP;
- :mod:`~syncscope.serve.app`: the Starlette application factory, routes and error mapping;
- :mod:`~syncscope.serve.fastpath`: repeated ``/v1/domains`` requests, from their rendered bytes;
- :mod:`~syncscope.serve.openapi`: the OpenAPI 3.1 description of every endpoint;
- :mod:`~syncscope.serve.reference`: docs/api-http.md, written from that description;
- :mod:`~syncscope.serve.limits`: body and batch size limits;
- :mod:`~syncscope.serve.errors`: errors as a status and a JSON body;
- ``static/``: the page (plain HTML, CSS and JavaScript modules; no build step, no network).

Starlette and uvicorn come with the ``serve`` extra (``pip install 'syncscope[serve]'``);
only :mod:`~syncscope.serve.app` imports them.
"""

from __future__ import annotations

__all__: list[str] = []
