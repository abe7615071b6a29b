"""User accounts from a sheet: made with an initial password shown once and changed at first
login, matched by user name on a second run, role and areas checked by the one rule, and never
reaching an account outside the importer's area or an administrator's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.sheets import ROLE_ALIASES, AccountImport, role_of
from tests.factories import CadreFactory, UnitFactory, new_id_number
from tests.poverty.test_sheet_imports import sheet

pytestmark = pytest.mark.django_db

HEADER = ["用户名", "姓名", "角色", "管辖区域", "手机号码"]


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def test_accounts_are_made_with_a_password_shown_once_then_matched(tmp_path, world, staff):
    path = sheet(
        tmp_path,
        HEADER,
        [
            ("yixiang", "王五", "乡镇工作人员", "一乡", "13800000001"),
            # A cadre holding two villages, the role by the name offices use.
            ("cadre11", "赵六", "第一书记", "一乡甲村、一乡乙村", ""),
        ],
    )
    preview = AccountImport(staff).run(path, dry_run=True)
    assert preview.ok, preview.errors
    assert preview.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    assert preview.secrets == []  # a preview makes no password anyone could use
    assert not User.objects.filter(username="yixiang").exists()

    result = AccountImport(staff).run(path)
    assert result.ok, result.errors
    township = User.objects.get(username="yixiang")
    assert (township.display_name, township.role, township.phone) == (
        "王五",
        Role.TOWNSHIP_STAFF,
        "13800000001",
    )
    assert list(township.areas.all()) == [world.t1]
    cadre = User.objects.get(username="cadre11")
    assert cadre.role == Role.VILLAGE_CADRE
    assert set(cadre.areas.all()) == {world.v11, world.v12}
    passwords = dict(result.secrets)
    assert set(passwords) == {"yixiang", "cadre11"}
    assert township.check_password(passwords["yixiang"])
    assert township.must_change_password

    again = AccountImport(staff).run(path)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.secrets == []
    township.refresh_from_db()
    assert township.check_password(passwords["yixiang"])  # a re-run never resets a password


def test_an_edited_row_updates_role_areas_and_name(tmp_path, world, staff, make_user):
    make_user(Role.TOWNSHIP_STAFF, world.t1, username="yixiang", last_name="王五")
    path = sheet(tmp_path, HEADER, [("yixiang", "王武", "乡镇工作人员", "二镇", "")])
    result = AccountImport(staff).run(path)
    assert result.ok, result.errors
    assert result.changes[0].detail == "姓名：王五 → 王武；管辖区域：一乡 → 二镇"
    user = User.objects.get(username="yixiang")
    assert list(user.areas.all()) == [world.t2]
    assert user.display_name == "王武"


def test_role_and_area_levels_follow_the_one_rule(tmp_path, world, staff):
    path = sheet(
        tmp_path,
        HEADER,
        [
            ("a", "甲", "乡镇工作人员", "一乡甲村", ""),
            ("b", "乙", "村级帮扶干部", "一乡", ""),
            ("c", "丙", "县长", "测试县", ""),
            ("d", "丁", "领导", "火星乡", ""),
        ],
    )
    result = AccountImport(staff).run(path)
    assert result.errors == [
        (4, "管辖区域", "在您的管辖范围内找不到乡镇“一乡甲村”。"),
        (5, "管辖区域", "在您的管辖范围内找不到行政村“一乡”。"),
        (6, "角色", f"“县长”不是可选的角色（可选：{'、'.join(Role.labels)}）。"),
        (7, "管辖区域", "在您的管辖范围内找不到省或市或县或乡镇“火星乡”。"),
    ]
    assert not User.objects.filter(username__in="abcd").exists()


def test_a_township_clerk_cannot_reach_beyond_the_township(tmp_path, world, make_user):
    # An importer holding 一乡 only: 二镇's account and area are out of reach, and so is an
    # administrator's account whatever its area.
    importer = make_user(Role.COUNTY_STAFF, world.county)
    importer.areas.set([world.t1])
    make_user(Role.TOWNSHIP_STAFF, world.t2, username="erzhen")
    make_user(Role.COUNTY_STAFF, world.county, username="boss", is_staff=True)
    path = sheet(
        tmp_path,
        HEADER,
        [
            ("erzhen", "钱七", "乡镇工作人员", "一乡", ""),
            ("BOSS", "孙八", "乡镇工作人员", "一乡", ""),
            ("new", "周九", "乡镇工作人员", "二镇", ""),
        ],
    )
    result = AccountImport(importer).run(path)
    assert result.errors == [
        (4, "用户名", "用户名erzhen已被您管辖范围以外的账号使用，请换一个。"),
        (5, "用户名", "管理员账号不能通过表格修改，请在管理后台修改。"),
        (6, "管辖区域", "在您的管辖范围内找不到乡镇“二镇”。"),
    ]
    assert list(User.objects.get(username="erzhen").areas.all()) == [world.t2]


def test_a_cadre_is_linked_by_id_number_or_name_and_phone(tmp_path, world, staff):
    unit = UnitFactory(area=world.county)
    number = new_id_number()
    by_id = CadreFactory(unit=unit, name="赵六", phone="13800000009")
    by_id.id_number = number
    by_id.save()
    by_phone = CadreFactory(unit=unit, name="钱七", phone="13800000008")
    rows = [
        ("zhao", "赵六", "村级帮扶干部", "一乡甲村", "", number),
        ("qian", "钱七", "村级帮扶干部", "一乡乙村", "13800000008", ""),
    ]
    unknown = ("sun", "孙八", "村级帮扶干部", "一乡乙村", "", new_id_number())
    header = [*HEADER, "证件号码"]
    refused = AccountImport(staff).run(sheet(tmp_path, header, [*rows, unknown], name="a.xlsx"))
    assert refused.errors == [(6, "证件号码", "找不到该证件号码的干部：请先导入干部名单，或留空。")]
    assert not User.objects.filter(username__in=["zhao", "qian", "sun"]).exists()
    result = AccountImport(staff).run(sheet(tmp_path, header, rows, name="b.xlsx"))
    assert result.ok, result.errors
    assert User.objects.get(username="zhao").cadre == by_id
    assert User.objects.get(username="qian").cadre == by_phone


def test_the_page_shows_the_passwords_once_and_the_first_login_changes_them(
    client, tmp_path, world, staff, settings, django_capture_on_commit_callbacks
):
    from villages.models import SheetImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    url = reverse("sheet_import", args=["accounts"])
    path = sheet(tmp_path, HEADER, [("yixiang", "王五", "乡镇工作人员", "一乡", "")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("账号.xlsx", path.read_bytes())})
    job = SheetImportJob.objects.get()
    preview = client.get(job.get_absolute_url()).content.decode()
    assert "新增1条" in preview and "data-secrets" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sheet_job_confirm", args=[job.pk]), {"confirm": "1"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.secrets  # kept encrypted until seen
    assert "yixiang" not in job.secrets
    done = client.get(job.get_absolute_url())
    assert "no-store" in done["Cache-Control"]
    page = done.content.decode()
    assert "只显示这一次" in page
    password = dict(done.context["secrets"])["yixiang"]
    assert password in page
    job.refresh_from_db()
    assert job.secrets == ""
    assert password not in client.get(job.get_absolute_url()).content.decode()

    client.logout()
    logged_in = client.post(reverse("login"), {"username": "yixiang", "password": password})
    assert logged_in.status_code == 302
    # Every page leads to the password change until the initial password is replaced.
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("password_change")
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Qsx7-tgb-Ws3",
            "new_password2": "Qsx7-tgb-Ws3",
        },
    )
    assert changed.status_code == 302
    assert not User.objects.get(username="yixiang").must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_only_county_staff_import_accounts(client, world, make_user):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    assert client.get(reverse("sheet_import", args=["accounts"])).status_code == 403


def test_the_command_prints_the_initial_passwords(tmp_path, world, staff, capsys):
    path = sheet(tmp_path, HEADER, [("yixiang", "王五", "乡镇工作人员", "一乡", "")])
    call_command("import_sheet", "accounts", str(path), user=staff.username)
    out = capsys.readouterr().out
    password = out.strip().splitlines()[-1].split("\t")[1]
    assert out.strip().splitlines()[-1].startswith("yixiang\t")
    assert User.objects.get(username="yixiang").check_password(password)


@pytest.mark.parametrize(("spelling", "role"), sorted(ROLE_ALIASES.items()))
def test_every_role_spelling_reads_as_its_role(spelling, role):
    assert role_of(f" {spelling} ") == role


def test_every_role_takes_its_own_label_and_code():
    for value, label in Role.choices:
        assert role_of(str(label)) == value == role_of(value)
