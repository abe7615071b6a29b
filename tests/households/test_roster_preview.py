"""Roster uploads preview before they write: what changes by row (before → after), every
removal with whether it needs confirming (a file older than the registry must not silently
undo later work), then the uploader confirms or drops it; the command needs --allow-removals."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from households.models import Household, Member, RosterImport
from households.roster import export_roster, import_roster
from households.roster.jobs import roster_import_cancel, roster_import_confirm, run_import_job
from poverty.common import excel
from tests.factories import MemberFactory, new_id_number

from .roster_files import roster_bytes
from .test_roster import family, person, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def son(world, **extra):
    number = new_id_number("male", datetime.date(2005, 6, 1))
    return person(world, name="王小明", relation="之子", number=number, **extra)


def upload(staff, world, data: bytes, settings, tmp_path) -> RosterImport:
    settings.MEDIA_ROOT = tmp_path / "media"
    job = RosterImport.objects.create(user=staff, area=world.county, file_name="花名册.xlsx")
    job.file.save("x.xlsx", io.BytesIO(data))
    run_import_job(job.pk)
    job.refresh_from_db()
    return job


def test_the_preview_lists_changes_by_row_before_and_after_and_writes_nothing(
    tmp_path, world, staff
):
    first = family(world)
    import_roster(write(tmp_path, first), user=staff)
    edit = {"计划脱贫年度": 2019, "主要致贫原因": "缺技术"}
    rows = [{**r, **edit} for r in first]
    rows.append(son(world, **edit))
    rows.append(person(world, code="H-0002", name="赵大"))
    preview = import_roster(write(tmp_path, rows, "edited.xlsx"), user=staff, dry_run=True)
    assert preview.ok, preview.errors
    assert [(c.row, c.action, c.label, c.detail) for c in preview.changes] == [
        # 缺技术 became the primary cause, so it leaves the other causes.
        (
            2,
            "更新户",
            "H-0001",
            "主要致贫原因：因病 → 缺技术；其他致贫原因：缺技术、缺资金 → 缺资金；"
            "计划脱贫年度：2018 → 2019",
        ),
        (4, "新增成员", "H-0001 王小明", ""),
        (5, "新增户", "H-0002 赵大", f"{world.v11.name}，1人"),
    ]
    household = Household.objects.get(code="H-0001")
    assert (household.planned_exit_year, household.persons) == (2018, 2)
    assert not Household.objects.filter(code="H-0002").exists()


def test_removals_from_a_file_not_ours_need_confirming_on_the_page(
    client, tmp_path, world, staff, settings, django_capture_on_commit_callbacks
):
    both = family(world)
    import_roster(write(tmp_path, [*both, son(world)]), user=staff)
    job = upload(staff, world, roster_bytes(both), settings, tmp_path)
    assert job.status == "previewed"
    assert [(r["name"], r["needs_confirm"], r["why"]) for r in job.removals] == [
        ("王小明", True, "文件不是本系统导出的花名册")
    ]
    client.force_login(staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "将移出的成员（1 人" in page and "须确认" in page and 'name="removals_checked"' in page
    url = reverse("households:rosterimport_confirm", args=[job.pk])
    refused = client.post(url, {"confirm": "1"})
    assert "请逐一核对后勾选确认" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == "previewed" and Member.objects.filter(name="王小明").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "1", "removals_checked": "on"})
    job.refresh_from_db()
    assert (job.status, job.counts["members_removed"]) == ("succeeded", 1)
    assert not Member.objects.filter(name="王小明").exists()


def test_an_export_of_ours_removes_unchanged_members_without_asking_but_not_later_ones(
    tmp_path, world, staff
):
    import_roster(write(tmp_path, [*family(world), son(world)]), user=staff)
    # Imported an hour ago; the export is made now.
    Member.history.update(history_date=timezone.now() - datetime.timedelta(hours=1))
    exported = tmp_path / "export.xlsx"
    export_roster(exported, Household.objects.all())
    stamp = excel.export_stamp(exported)
    assert stamp is not None and abs(stamp - timezone.now()) < datetime.timedelta(minutes=1)

    # The clerk deletes the son's row in Excel and saves (the properties stay).
    workbook = load_workbook(exported)
    sheet = workbook.active
    names = [c.value for c in sheet["E"]]
    sheet.delete_rows(names.index("王小明") + 1)
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    preview = import_roster(edited, user=staff, dry_run=True)
    assert preview.exported_at == stamp
    assert [(r.name, r.needs_confirm) for r in preview.removals] == [("王小明", False)]

    # Meanwhile someone corrects the son's record: the older file must not silently drop him.
    member = Member.objects.get(name="王小明")
    member.education = "junior"
    member.save()
    again = import_roster(edited, user=staff)
    assert [(r.name, r.needs_confirm, r.why) for r in again.removals] == [
        ("王小明", True, "导出后此人有新增或修改")
    ]
    assert again.errors and Member.objects.filter(name="王小明").exists()


def test_the_write_removes_only_the_members_the_preview_listed(tmp_path, world, staff, settings):
    both = family(world)
    import_roster(write(tmp_path, [*both, son(world)]), user=staff)
    job = upload(staff, world, roster_bytes(both), settings, tmp_path)
    household = Household.objects.get(code="H-0001")
    MemberFactory(household=household, relation="grandchild", name="王小红")  # after the preview
    roster_import_confirm(job=job, by=staff, removals_checked=True)
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "此文件将移出1名已登记的成员（如H-0001户王小红）" in job.errors[0]["message"]
    assert Member.objects.filter(name__in=["王小明", "王小红"]).count() == 2


def test_only_the_uploader_confirms_once_or_drops_it(tmp_path, world, staff, settings, make_user):
    from django.core.exceptions import ValidationError

    job = upload(staff, world, roster_bytes(family(world)), settings, tmp_path)
    colleague = make_user(Role.COUNTY_STAFF, world.county)
    with pytest.raises(ValidationError, match="只有上传该文件的人可以确认导入"):
        roster_import_confirm(job=job, by=colleague, removals_checked=False)
    roster_import_cancel(job=job, by=staff)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.is_done and not Household.objects.exists()
    with pytest.raises(ValidationError, match="该导入当前为“已放弃”，不能确认"):
        roster_import_confirm(job=job, by=staff, removals_checked=False)
    run_import_job(job.pk)  # a late message changes nothing
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_the_command_lists_removals_and_needs_allow_removals(tmp_path, world, staff, capsys):
    both = family(world)
    import_roster(write(tmp_path, [*both, son(world)]), user=staff)
    path = write(tmp_path, both, "smaller.xlsx")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_roster", str(path), user=staff.username)
    assert exit_info.value.code == 1
    out = capsys.readouterr()
    assert "移出 H-0001 王小明" in out.out and "（须确认）" in out.out
    assert "--allow-removals" in out.err
    call_command("import_roster", str(path), user=staff.username, allow_removals=True)
    assert "移出人1" in capsys.readouterr().out
    assert not Member.objects.filter(name="王小明").exists()
