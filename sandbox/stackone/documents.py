"""Application documents and their categories: upload, list, get, and the download of the file itself.

An upload (`AtsDocumentsUploadRequestDto`) carries the file as base64 `content` (padding optional, as StackOne's
own example omits it) and its format as `file_format.value` (an extension); the category is `category_id`, else
`category.source_value` (the provider's category, which then wins over `category.value`), else `category.value`.
The download answers the file's bytes with its content type and `Content-Disposition` (StackOne declares one
response per content type; a format outside that list is served as `application/octet-stream`):
- `format=base64` answers the same bytes base64-encoded, as `text/plain` (the only value the document gives);
- `export_format=<type>` answers the file converted to that type when the provider has it so (seed résumés are a
  PDF with a `text/plain` rendition); a type the provider cannot convert to is its refusal, a 422.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from fastapi.responses import Response

from connectors.unified import schema as s
from sandbox.common import Tenant, now_iso
from sandbox.stackone.errors import bad_request, not_found, provider_url
from sandbox.stackone.operation import Call, Operation, listing, reading, uploaded, writing
from sandbox.stackone.query import Declared, literal_values
from sandbox.stackone.records import Record, build, enum

DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "heic": "image/heic",
    "zip": "application/zip",
    "gz": "application/gzip",
    "json": "application/json",
    "xml": "application/xml",
    "csv": "text/csv",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "avi": "video/avi",
    "mov": "video/quicktime",
    "rar": "application/x-rar-compressed",
    "7z": "application/x-7z-compressed",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
    "htm": "text/html",
    "html": "text/html",
    "webp": "image/webp",
    "bin": "application/octet-stream",
}
"""File extension (StackOne's `FileFormatEnum` values) → the content types StackOne's download declares."""
OCTET_STREAM = "application/octet-stream"
_DOCUMENT_TYPES = frozenset(literal_values(s.AtsDocumentTypeEnum.model_fields["value"].annotation))
CATEGORIES = "documents/application_categories"


def of(tenant: Tenant, application_id: str) -> list[Record]:
    return tenant[f"applications/{application_id}/documents"].all()


def content_type(filename: str) -> str:
    return DOWNLOAD_TYPES.get(filename.rpartition(".")[2].lower(), OCTET_STREAM) if "." in filename else OCTET_STREAM


def decoded(
    call: Call, upload: s.AtsDocumentsUploadRequestDto, where: str
) -> tuple[s.AtsDocumentsUploadRequestDto, bytes]:
    """The upload's file, checked before anything is stored: base64 content, a category the provider knows."""
    text = "".join((upload.content or "").split())
    if not text:
        raise bad_request(f"{where}.content must be the file's content, base64-encoded")
    try:
        content = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise bad_request(f"{where}.content is not valid base64") from None
    category = upload.category.source_value if upload.category else None
    call.check_references(
        [
            (f"{where}.category_id", CATEGORIES, upload.category_id),
            (f"{where}.category.source_value", CATEGORIES, category),
        ]
    )
    return upload, content


def store(
    tenant: Tenant,
    application_id: str,
    upload: s.AtsDocumentsUploadRequestDto,
    content: bytes,
    renditions: dict[str, bytes] | None = None,
    record_id: str | None = None,
) -> Record:
    """The document's record and its file (`renditions`: the other types the provider can export it as)."""
    filename = upload.name or "document"
    given = upload.file_format.value if upload.file_format else None
    extension = given or (filename.rpartition(".")[2].lower() if "." in filename else None)
    if given and given != "unmapped_value" and not filename.lower().endswith(f".{given}"):
        filename = f"{filename}.{given}"
    key = upload.category_id or (upload.category.source_value if upload.category else None)
    reference = tenant[CATEGORIES].get(key or "")
    name = reference["name"] if reference else upload.category.value if upload.category else None
    kind = str(name).lower().replace(" ", "_").replace("-", "_") if name else None
    remote_id = tenant.remote_id()
    stamp = now_iso()
    record = build(
        s.AtsDocumentApiModel,
        id=record_id or str(uuid.uuid4()),
        remote_id=remote_id,
        name=filename,
        category={"value": kind, "source_value": name} if name else None,
        category_id=reference["id"] if reference else None,
        contents=None,
        created_at=stamp,
        updated_at=stamp,
        remote_url=provider_url(tenant.ats, f"attachments/{remote_id}/{filename}"),
        file_format=enum(extension, extension) if extension else None,
        unified_custom_fields=None,
        type=enum(kind if kind in _DOCUMENT_TYPES else "other", name) if name else None,
    )
    tenant[f"applications/{application_id}/documents"].add(record)
    tenant["files"].add({"id": record["id"], "renditions": {content_type(filename): content, **(renditions or {})}})
    return record


def attachment(tenant: Tenant, document: Record) -> Record:
    """The deprecated `attachments` form of a document (`include=attachments`): name, URL, content in base64."""
    renditions = tenant["files"].records[document["id"]]["renditions"]
    kind, content = next(iter(renditions.items()))
    family = "pdf" if kind == "application/pdf" else kind.split("/")[0]
    return build(
        s.ApplicationAttachment,
        file_name=document["name"],
        content=base64.b64encode(content).decode(),
        url=document["remote_url"],
        content_type=enum(family if family in ("pdf", "text", "video") else "other", kind),
    )


def upload_document(call: Call) -> Response:
    application = call.require("applications", call.path["id"])
    upload, content = decoded(call, call.dto(s.AtsDocumentsUploadRequestDto), "body")
    store(call.tenant, application["id"], upload, content)
    return uploaded(call)


def _document(call: Call) -> Record:
    application = call.require("applications", call.path["id"])
    found = call.tenant[f"applications/{application['id']}/documents"].get(call.path["subResourceId"])
    if found is None:
        raise not_found()
    return found


def download_document(call: Call) -> Response:
    document = _document(call)
    renditions: dict[str, bytes] = call.tenant["files"].records[document["id"]]["renditions"]
    filename = str(document["name"])
    kind, content = next(iter(renditions.items()))
    wanted = call.query.options.get("export_format")
    if wanted is not None and wanted != kind:
        if wanted not in renditions:
            raise call.refused([("export_format", f"{filename} cannot be exported as {wanted}")])
        kind, content = wanted, renditions[wanted]
        extension = next((ext for ext, mime in DOWNLOAD_TYPES.items() if mime == wanted), None)
        filename = f"{filename.rpartition('.')[0] or filename}.{extension}" if extension else filename
    encoding = call.query.options.get("format")
    if encoding not in (None, "base64"):
        raise bad_request("format must be base64 (or left out for the file's own bytes)")
    if encoding == "base64":
        kind, content = "text/plain", base64.b64encode(content)
    disposition = 'attachment; filename="{}"'.format(filename.replace('"', ""))
    return Response(content, headers={"content-type": kind, "content-disposition": disposition})


OPERATIONS = (
    listing(
        "ats_list_application_documents",
        "/unified/ats/applications/{id}/documents",
        s.AtsDocumentApiModel,
        lambda call: of(call.tenant, call.require("applications", call.path["id"])["id"]),
        filters=("updated_after", "type"),
    ),
    reading(
        "ats_get_application_document",
        "/unified/ats/applications/{id}/documents/{subResourceId}",
        s.AtsDocumentApiModel,
        _document,
    ),
    writing(
        "ats_upload_application_document",
        "POST",
        "/unified/ats/applications/{id}/documents/upload",
        s.AtsDocumentsUploadRequestDto,
        upload_document,
    ),
    Operation(
        "ats_download_application_document",
        "GET",
        "/unified/ats/applications/{id}/documents/{subResourceId}/download",
        download_document,
        Declared(frozenset({"format", "export_format"})),
    ),
    listing(
        "ats_list_application_document_categories",
        f"/unified/ats/{CATEGORIES}",
        s.Reference,
        lambda call: call.tenant[CATEGORIES].all(),
        params=(),
    ),
    reading(
        "ats_get_application_document_category",
        f"/unified/ats/{CATEGORIES}/{{id}}",
        s.Reference,
        lambda call: call.require(CATEGORIES, call.path["id"]),
    ),
)
"""Application documents and document categories."""
