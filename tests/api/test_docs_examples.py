"""Every request example the API documents runs as it is from /api/docs ("Try it out")."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def test_every_documented_example_is_accepted(client: FlaskClient, alice: dict[str, str]) -> None:
    spec = client.get("/api/openapi.json").json
    company = None
    tried = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            example: Any = operation["requestBody"]["content"]["application/json"].get("example")
            assert example is not None, (method, path)
            if "{company_id}" in path:
                if company is None:
                    company = client.post(
                        "/api/v1/companies",
                        json=spec["paths"]["/api/v1/companies"]["post"]["requestBody"]["content"]["application/json"]["example"],
                        headers=alice,
                    ).json["id"]
                path = path.replace("{company_id}", company)
            headers = dict(alice)
            if "/companies/" in path and method in ("put", "delete") and path.count("/") == 4:
                headers["If-Match"] = client.get(path, headers=alice).headers["ETag"]  # a change names the version it changes
            response = client.open(path, method=method.upper(), json=example, headers=headers)
            assert 200 <= response.status_code < 300, (method, path, response.get_data(as_text=True)[:500])
            tried += 1
    assert tried >= 6
