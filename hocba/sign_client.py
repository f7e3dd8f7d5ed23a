"""The reference signing client: signs a signing session over the HTTP API with a local key.

It logs in, asks the server to prepare a session for a batch of transcripts (a class, or every
batch of the caller's queue for one step), signs each ``to_sign`` with the ``Signer`` (a
PKCS#12 file or a PKCS#11 token such as a USB token) and sends back the signature values only:
the key never leaves the machine. The server assembles, verifies and moves each transcript.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.serialization import Encoding

from domain.signatures import Signer, SignerError

API = "/api/v1"


class SignClientError(Exception):
    """The client could not do what it was asked; ``message`` says why (Vietnamese, for the
    person at the keyboard), ``code`` the server's problem code when it answered one."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        transcript_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = status
        self.transcript_id = transcript_id
        """The transcript the server named as the cause, if any."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Transcripts signed in one session."""

    label: str
    """What the batch is, for the person: ``6A1 TOAN`` or ``2 học bạ``."""
    transcript_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """One transcript's result, as the server reported it."""

    transcript_id: str
    ok: bool
    status: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Selection:
    """Which transcripts to sign for ``step``."""

    step: str
    """``subject``, ``homeroom``, ``principal`` or ``school``."""
    subject_code: str | None = None
    """The subject of a ``subject`` step."""
    class_id: int | None = None
    """The caller's queue line of this class."""
    transcript_ids: tuple[str, ...] = ()
    """These transcripts, as one batch."""
    from_tasks: bool = False
    """Every line of the caller's queue for ``step`` (and ``subject_code`` when given)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _problem(response: httpx.Response, doing: str) -> SignClientError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail_vi") or body.get("detail") or response.reason_phrase
    return SignClientError(
        f"{doing}: máy chủ trả lời {response.status_code}: {detail}",
        code=body.get("code"),
        status=response.status_code,
        transcript_id=body.get("transcript_id") if response.status_code == 409 else None,
    )


class SignClient:
    """A session with one hocba server."""

    def __init__(self, *, server: str, timeout: float = 60.0) -> None:
        self._http = httpx.Client(base_url=server.rstrip("/") + API, timeout=timeout)
        self._token: str | None = None

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> SignClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _send(self, method: str, path: str, doing: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise SignClientError(f"{doing}: không kết nối được máy chủ ({error})") from None
        if response.status_code >= 400:
            raise _problem(response, doing)
        try:
            return response.json()
        except ValueError:
            raise SignClientError(f"{doing}: máy chủ trả lời không phải JSON") from None

    def login(self, *, username: str, password: str) -> None:
        """Log in with a password; SignClientError when refused."""
        body = self._send(
            "POST",
            "/auth/login",
            "Đăng nhập",
            json={"username": username, "password": password},
        )
        self._token = str(body["access_token"])

    def batches(self, selection: Selection) -> list[Batch]:
        """The batches ``selection`` names (from the caller's queue unless ids are given)."""
        if selection.transcript_ids:
            ids = tuple(selection.transcript_ids)
            return [Batch(f"{len(ids)} học bạ", ids)]
        tasks = self._send("GET", "/tasks", "Đọc danh sách việc cần làm")["items"]
        found = [
            Batch(
                " ".join(str(p) for p in (t["class_name"], t["subject_code"]) if p),
                tuple(t["transcript_ids"]),
            )
            for t in tasks
            if t["action"] == "sign"
            and t["step"] == selection.step
            and (selection.subject_code is None or t["subject_code"] == selection.subject_code)
            and (selection.class_id is None or t["class_id"] == selection.class_id)
        ]
        if not found:
            raise SignClientError("Không có học bạ nào chờ bạn ký ở bước này")
        return found

    def sign(self, batch: Batch, *, signer: Signer, selection: Selection) -> list[ItemOutcome]:
        """Sign ``batch``; a transcript the server cannot prepare (it names it) is reported as
        failed and the rest are signed in a new session."""
        left = list(batch.transcript_ids)
        refused: list[ItemOutcome] = []
        while left:
            try:
                return refused + self._sign_session(left, signer=signer, selection=selection)
            except SignClientError as error:
                if error.transcript_id not in left:
                    raise
                left.remove(error.transcript_id)
                refused.append(ItemOutcome(error.transcript_id, False, None, error.code))
        return refused

    def _sign_session(
        self, transcript_ids: list[str], *, signer: Signer, selection: Selection
    ) -> list[ItemOutcome]:
        """Prepare a session, sign every ``to_sign`` locally, complete it."""
        chain = [_b64(c.public_bytes(Encoding.DER)) for c in signer.chain]
        request: dict[str, Any] = {
            "transcript_ids": transcript_ids,
            "step": selection.step,
            "certificate": chain,
        }
        if selection.subject_code is not None:
            request["subject_code"] = selection.subject_code
        session = self._send("POST", "/signing-sessions", "Chuẩn bị phiên ký", json=request)
        items = []
        for item in session["items"]:
            value: dict[str, str] = {
                "transcript_id": item["transcript_id"],
                "xml_signature": _b64(self._value(signer, item["xml"])),
            }
            if item.get("pdf"):
                value["pdf_signature"] = _b64(self._value(signer, item["pdf"]))
            items.append(value)
        done = self._send(
            "POST",
            f"/signing-sessions/{session['session_id']}/complete",
            "Hoàn tất phiên ký",
            json={"items": items},
        )
        return [
            ItemOutcome(r["transcript_id"], bool(r["ok"]), r.get("status"), r.get("error"))
            for r in done["items"]
        ]

    def seal_copy(self, transcript_ids: Sequence[str], *, signer: Signer) -> tuple[int, bytes]:
        """Prepare a certified copy of ``transcript_ids``, seal it with ``signer`` (the
        school's organisation certificate), and download it; the copy's id and PDF."""
        chain = [_b64(c.public_bytes(Encoding.DER)) for c in signer.chain]
        prepared = self._send(
            "POST",
            "/certified-copies",
            "Chuẩn bị bản sao y",
            json={"transcript_ids": list(transcript_ids), "certificate": chain},
        )
        copy_id = int(prepared["id"])
        value = self._value(signer, prepared)
        self._send(
            "POST",
            f"/certified-copies/{copy_id}/complete",
            "Đóng dấu bản sao y",
            json={"signature": _b64(value)},
        )
        return copy_id, self._download(f"/certified-copies/{copy_id}/pdf", "Tải bản sao y")

    def _download(self, path: str, doing: str) -> bytes:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = self._http.get(path, headers=headers)
        except httpx.HTTPError as error:
            raise SignClientError(f"{doing}: không kết nối được máy chủ ({error})") from None
        if response.status_code >= 400:
            raise _problem(response, doing)
        return response.content

    @staticmethod
    def _value(signer: Signer, part: dict[str, str]) -> bytes:
        if part["algorithm"] != signer.algorithm:
            raise SignClientError(
                f"Máy chủ yêu cầu thuật toán {part['algorithm']}, khoá ký dùng {signer.algorithm}"
            )
        try:
            return signer.sign(base64.b64decode(part["to_sign"], validate=True))
        except SignerError as error:
            raise SignClientError(f"Không ký được: {error.reason}") from None
        except ValueError:
            raise SignClientError("Máy chủ gửi dữ liệu cần ký không hợp lệ") from None


def sign_selection(
    *,
    server: str,
    username: str,
    password: str,
    signer: Signer,
    selection: Selection,
) -> list[tuple[Batch, Sequence[ItemOutcome]]]:
    """Log in, then sign every batch of ``selection``; the results per batch."""
    with SignClient(server=server) as client:
        try:
            client.login(username=username, password=password)
            return [
                (batch, client.sign(batch, signer=signer, selection=selection))
                for batch in client.batches(selection)
            ]
        except (KeyError, TypeError, AttributeError):
            # A server (or proxy) answering JSON of another shape than contracts.md.
            raise SignClientError("Máy chủ trả lời không đúng định dạng của hocba") from None


def seal_certified_copy(
    *, server: str, username: str, password: str, signer: Signer, transcript_ids: Sequence[str]
) -> tuple[int, bytes]:
    """Log in, then prepare, seal and download a certified copy; its id and PDF."""
    with SignClient(server=server) as client:
        try:
            client.login(username=username, password=password)
            return client.seal_copy(transcript_ids, signer=signer)
        except (KeyError, TypeError, AttributeError, ValueError):
            raise SignClientError("Máy chủ trả lời không đúng định dạng của hocba") from None
