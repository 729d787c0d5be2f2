"""Paging for every list: ``limit`` and an opaque ``cursor``; the next page is announced in a
``Link: <…>; rel="next"`` header and the body stays a list."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, and_, or_

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "PageArgs", "link_header", "page"]

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class PageArgs(Schema):
    """Which page of a list: at most ``limit`` items after ``cursor`` (from the previous page's Link)."""

    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT), metadata={"description": f"items per page, 1 to {MAX_LIMIT}"})
    cursor = fields.String(
        load_default=None, validate=validate.Length(max=200), metadata={"description": "where the page starts: the cursor in the previous page's Link header"}
    )


def _decode(cursor: str) -> tuple[datetime, str]:
    from eligibility import InputError

    try:
        created, _, ident = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8").partition("|")
        return datetime.fromisoformat(created), ident
    except (binascii.Error, UnicodeError, ValueError):
        raise InputError.single("cursor", "Not a cursor of this list; follow the Link header of the previous page.") from None


def _encode(created: datetime, ident: str) -> str:
    return base64.urlsafe_b64encode(f"{created.isoformat()}|{ident}".encode()).decode("ascii")


def page(query: Select[Any], model: Any, args: dict[str, Any]) -> Select[Any]:
    """``query`` (ordered by creation, then id) from the cursor on, one more than a page: the extra
    row, if any, says that there is a next page."""
    if args.get("cursor"):
        created, ident = _decode(args["cursor"])
        query = query.where(or_(model.created_at > created, and_(model.created_at == created, model.id > ident)))
    return query.order_by(model.created_at, model.id).limit(args["limit"] + 1)


def link_header(rows: list[Any], args: dict[str, Any]) -> tuple[list[Any], dict[str, str]]:
    """The page's rows and, when there are more, the Link header to the next page."""
    if len(rows) <= args["limit"]:
        return rows, {}
    rows = rows[: args["limit"]]
    last = rows[-1]
    query = urlencode({"limit": args["limit"], "cursor": _encode(last.created_at, str(last.id))})
    return rows, {"Link": f'<{request.base_url}?{query}>; rel="next"'}
