"""A dead link's reason on the resource page: as recorded in English, by its kind in Chinese."""
from __future__ import annotations

import pytest

from registry.links.words import dead_reason


@pytest.mark.parametrize("error, zh", [
    ("HTTP 404 Not Found", "服务器返回 HTTP 404"),
    ("HTTP 200 OK, then no data within 10 s", "服务器返回 HTTP 200，但未发送数据"),
    ("no connection within 5 s", "连接超时"),
    ("no answer within 10 s", "响应超时"),
    ("slower than 20 s in all", "响应过慢"),
    ("connection refused", "连接被拒绝"),
    ("the server closed the connection without an answer", "服务器未响应即断开连接"),
    ("the host name does not resolve (data.example.gov.cn)", "域名无法解析"),
    ("more than 5 redirects", "重定向次数过多"),
    ("redirect loop: back to http://a/ after 2 redirects", "重定向循环"),
    ("address refused: 10.1.2.3: 10.1.2.3 is a private address", "不允许检查的地址（内网或保留地址）"),
    ("TLS: certificate verify failed", "无法建立安全连接（证书或加密握手失败）"),
    ("cannot check (RuntimeError)", "cannot check (RuntimeError)"),
])
def test_each_kind_of_reason_reads_in_both_languages(app, error, zh):
    with app.test_request_context("/"):
        assert dead_reason(error) == zh
    with app.test_request_context("/?lang=en"):
        assert dead_reason(error) == error
