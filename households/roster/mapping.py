"""The mapping step: columns a county's own sheets name in ways the importer does not know,
mapped by the user to roster columns (or left out), kept on the upload and, under a name, as a
template of the county (RosterMapping) that maps the next file of that kind by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from poverty.common import excel, tabular
from poverty.common.areacodes import ancestor_codes, level_of
from poverty.common.jobs import queue_after_commit
from poverty.common.scoping import code_in_scope
from villages.choices import AreaLevel
from villages.models import Area

from ..excel import BY_KEY, resolve_header
from ..models import RosterImport, RosterMapping

SAMPLES = 3  # values shown under each unknown column
SAMPLE_ROWS = 50  # rows read for them when the header stops the import
SAMPLE_CHARS = 30


def resolver(columns: dict[str, str] | None) -> Callable[[str], str | None]:
    """Our spellings first, then the mapping's ("" leaves a column out)."""
    if not columns:
        return resolve_header

    def resolve(text: str) -> str | None:
        known = resolve_header(text)
        if known is not None:
            return known
        key = columns.get(text)
        if key is None:
            return None
        return key or tabular.IGNORED

    return resolve


def choose(user, top: list[tuple[int, list]]) -> RosterMapping | None:
    """The user's county's template that names most of the headers these top rows hold that we
    do not know (None when none names any)."""
    texts = {
        tabular.normalise_header(text)
        for _, cells in top
        for text in map(excel.cell_text, cells)
        if text
    }
    unknown = {text for text in texts if resolve_header(text) is None}
    if not unknown:
        return None
    best, score = None, 0
    for mapping in RosterMapping.objects.restrict(user, "view").order_by("-updated_at"):
        hits = len(unknown & set(mapping.columns))
        if hits > score:
            best, score = mapping, hits
    return best


class Samples:
    """The first few values under each column the header did not name."""

    def __init__(self, header: tabular.Header) -> None:
        self.columns = dict(header.unknown_at)
        self.values: dict[str, list[str]] = {name: [] for name in self.columns.values()}
        self.open = len(self.columns)

    def add(self, cells: list) -> None:
        if not self.open:
            return
        for position, name in self.columns.items():
            found = self.values[name]
            if len(found) < SAMPLES and position < len(cells):
                text = excel.cell_text(cells[position])
                if text:
                    found.append(text[:SAMPLE_CHARS])
                    if len(found) == SAMPLES:
                        self.open -= 1


def county_of(area: Area) -> Area:
    """The county of an area (or the area itself, at county level or above)."""
    if area.level in (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY):
        return area
    county = next(c for c in ancestor_codes(area.code) if level_of(c) == AreaLevel.COUNTY)
    return Area.objects.get(code=county)


def roster_import_map(
    *, job: RosterImport, by, columns: dict[str, str], template_name: str = ""
) -> RosterImport:
    """The uploader maps the file's unknown columns (header as written -> column key, or "" to
    leave out); saved as the county's template under `template_name` when given; the upload is
    then checked and previewed again with the mapping."""
    from .. import tasks

    wrong = [key for key in columns.values() if key and key not in BY_KEY]
    if wrong:
        raise ValidationError(f"没有这样的花名册列：{'、'.join(wrong)}")
    chosen = [key for key in columns.values() if key]
    if len(chosen) != len(set(chosen)):
        twice = sorted({BY_KEY[k].header for k in chosen if chosen.count(k) > 1})
        raise ValidationError(f"两列不能对应同一项：{'、'.join(twice)}")
    normalised = {tabular.normalise_header(name): key for name, key in columns.items()}
    with transaction.atomic():
        job = RosterImport.objects.select_for_update().get(pk=job.pk)
        if job.user_id != by.pk:
            raise ValidationError("只有上传该文件的人可以设置列名对应。")
        if job.status not in (RosterImport.Status.PREVIEWED, RosterImport.Status.FAILED):
            raise ValidationError(f"该导入当前为“{job.get_status_display()}”，不能再设置列名对应。")
        if template_name:
            # Kept for the county where the user may write there, else for the user's own
            # area (a township's template; the county sees it too).
            county = county_of(job.area)
            area = county if code_in_scope(RosterMapping, county.code, by, "add") else job.area
            if not code_in_scope(RosterMapping, area.code, by, "add"):
                raise ValidationError("您没有保存列名对应模板的权限。")
            template, _ = RosterMapping.objects.get_or_create(
                area=area, name=template_name.strip(), defaults={"created_by": by}
            )
            template.columns = {**template.columns, **normalised}
            template.full_clean()
            template.save()
        job.column_map = {**job.column_map, **normalised}
        job.mapping_name = template_name.strip()
        job.status = RosterImport.Status.PENDING
        job.phase = ""
        job.rows_read = job.rows_validated = job.rows_written = job.rows_marked = 0
        job.counts, job.errors, job.error_count = {}, [], 0
        job.changes, job.removals, job.samples = [], [], {}
        job.finished_at = None
        job.message = "已设置列名对应，正在重新校验……"
        if job.error_file:
            job.error_file.delete(save=False)
        job.save()
        queue_after_commit(tasks.import_roster, job)
    return job
