"""The OpenAPI schema's error answers, documented once for every endpoint.

Every endpoint can refuse in the same few ways, whatever its own view says: DRF answers a
malformed body or query with 400, a wrong or expired token with 401 (when the view asks
for a token first, so that it can send WWW-Authenticate) or 403, an unknown id or a page
past the end with 404, a body without a Content-Type it can parse with 415, and
portal.auth.middleware answers too many public POSTs with 429.
An endpoint's own `extend_schema(responses=...)` keeps its say on a code it names; this
adds only the codes it leaves out, and the JSON body of an error it names with a
description only, so the schema describes every status a client can get (the fuzz test,
tests/portal/test_api_fuzz.py, holds it to that).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

# {"detail": "..."}: every refusal but a 400's field errors (portal/api/errors.py).
ERROR_DETAIL = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField(help_text="What is wrong, in Chinese.")},
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Field errors ({"field": ["message"]}) or a `detail` for a body that does not parse: an
# object either way.
BAD_INPUT = "输入有误：字段错误（字段名 → 说明），或无法解析的请求（detail）。"
NOT_SIGNED_IN = "未登录，或令牌无效。"
FORBIDDEN = "无权进行此操作，或令牌无效。"
NOT_FOUND = "没有此对象，或页码超出范围。"
UNSUPPORTED_TYPE = "请求内容类型不受支持（应为 JSON、表单或 multipart），或缺少 Content-Type。"
TOO_MANY = "提交过于频繁，请稍后再试。"


def error_body(code: str) -> Any:
    return OpenApiTypes.OBJECT if code == "400" else ERROR_DETAIL


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: openapi.Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_answers().items():
            if code not in responses:
                answer = OpenApiResponse(error_body(code), description=description)
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        # A view that names an error code with a description only still answers it with
        # a JSON body: the body's shape is the same everywhere, so it is added here.
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                response["content"] = self._get_response_for_code(error_body(code), code)["content"]
        return responses

    def _error_answers(self) -> dict[str, str]:
        """The error codes this operation can answer, whatever its view says."""
        parameters = self._get_parameters()
        answers = {}
        if self.method in WRITE_METHODS or any(p.get("in") == "query" for p in parameters):
            answers["400"] = BAD_INPUT
        if self._challenges():
            answers["401"] = NOT_SIGNED_IN
        if not self._challenges() or not self._allows_anyone():
            answers["403"] = FORBIDDEN
        if self._is_list_view() or any(p.get("in") == "path" for p in parameters):
            answers["404"] = NOT_FOUND
        if self.method in WRITE_METHODS and self.get_request_serializer() is not None:
            answers["415"] = UNSUPPORTED_TYPE
        if self.method == "POST":
            answers["429"] = TOO_MANY
        return answers

    def _challenges(self) -> bool:
        """Whether "not signed in" is a 401: DRF says so only when the view's first
        authentication class names a WWW-Authenticate challenge (TokenAuthentication
        does, SessionAuthentication does not)."""
        classes = getattr(self.view, "authentication_classes", [])
        if not classes:
            return False
        return bool(classes[0]().authenticate_header(self.view.request))

    def _allows_anyone(self) -> bool:
        classes = getattr(self.view, "permission_classes", [])
        return all(issubclass(c, permissions.AllowAny) for c in classes)
