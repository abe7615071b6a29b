"""Evidence uploads (photos and scans): checked by what the file contains, not by its name.

`validate_evidence` is a model field validator, so forms, the API and any import share it: the
file must be at most UPLOAD_MAX_BYTES and really be a JPEG, PNG or PDF, and its name's extension
must say the same (a page saved as 整改.jpg is refused). Stored names are made by each model's
upload_to from the record (household, step, time), never from what the user typed; only the
extension is kept, and it is checked here against the content.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible


def stamped_name(folder: str, filename: str, tag: str = "") -> str:
    """A stored name users cannot choose: folder/YYYY/MM/[tag-]HHMMSSffffff.ext, keeping only
    the extension of the uploaded name (checked against the content by EvidenceValidator)."""
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    prefix = f"{tag}-" if tag else ""
    return f"{folder}/{timezone.localdate():%Y/%m}/{prefix}{timezone.now():%H%M%S%f}.{ext}"


# The first bytes of each kind we accept, and the extensions that name it.
SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff", ("jpg", "jpeg")),
    "png": (b"\x89PNG\r\n\x1a\n", ("png",)),
    "pdf": (b"%PDF-", ("pdf",)),
}
LABELS = {"jpeg": "JPG图片", "png": "PNG图片", "pdf": "PDF文件"}


def kind_of(head: bytes) -> str | None:
    """jpeg, png or pdf from a file's first bytes; None for anything else."""
    for kind, (signature, _) in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


@deconstructible
class EvidenceValidator:
    """Size and content of an uploaded photo or scan; `kinds` limits which (default: all)."""

    def __init__(self, kinds: tuple[str, ...] = tuple(SIGNATURES)):
        self.kinds = tuple(kinds)

    def __call__(self, file) -> None:
        if getattr(file, "_committed", True) and not hasattr(file, "content_type"):
            return  # already stored: it was checked when it came in
        limit = settings.UPLOAD_MAX_BYTES
        if file.size is not None and file.size > limit:
            raise ValidationError(
                f"文件过大（{file.size / 1024 / 1024:.1f} MB），单个文件不能超过{limit // 1024 // 1024} MB。"
            )
        position = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(16)
        file.seek(position)
        kind = kind_of(head)
        allowed = "、".join(LABELS[k] for k in self.kinds)
        if kind not in self.kinds:
            raise ValidationError(f"文件内容不是{allowed}，请上传照片或扫描件。")
        extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
        if extension not in SIGNATURES[kind][1]:
            raise ValidationError(
                f"文件名“{file.name}”与内容不符：内容是{LABELS[kind]}，请改正扩展名后重新上传。"
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, EvidenceValidator) and self.kinds == other.kinds


validate_evidence = EvidenceValidator()
validate_photo = EvidenceValidator(("jpeg", "png"))
