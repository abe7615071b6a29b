"""User accounts from a sheet (a `SheetImport` kind): the township and village accounts a
county makes when it moves in.

An account is matched by 用户名. A new one gets an initial password, shown once after the import
(never stored in clear, never in a preview) and changed at first login. An existing account is
updated only when every area it holds lies in the importer's area; administrators' accounts and
passwords are never touched by a sheet. Role and areas follow the one rule of `roles`.
"""

from __future__ import annotations

import secrets

from poverty.common.sheetimport import (
    Change,
    Column,
    Row,
    RowError,
    SheetImport,
    changed_fields,
    parse_yes_no,
    split_list,
)
from villages.choices import AreaLevel
from villages.sheets import ID_NUMBER, AreaFinder, CadreFinder, id_number_of

from .choices import Role
from .models import User
from .roles import AREA_LEVELS, area_level_error

# The names offices give the roles, beside ours.
ROLE_ALIASES = {
    "县级": Role.COUNTY_STAFF,
    "县扶贫办": Role.COUNTY_STAFF,
    "县级工作人员": Role.COUNTY_STAFF,
    "扶贫办工作人员": Role.COUNTY_STAFF,
    "乡镇": Role.TOWNSHIP_STAFF,
    "乡镇干部": Role.TOWNSHIP_STAFF,
    "乡镇扶贫专干": Role.TOWNSHIP_STAFF,
    "扶贫专干": Role.TOWNSHIP_STAFF,
    "村级": Role.VILLAGE_CADRE,
    "村干部": Role.VILLAGE_CADRE,
    "帮扶干部": Role.VILLAGE_CADRE,
    "第一书记": Role.VILLAGE_CADRE,
    "驻村干部": Role.VILLAGE_CADRE,
    "驻村工作队": Role.VILLAGE_CADRE,
    "县领导": Role.LEADER,
    "乡镇领导": Role.LEADER,
    "督查": Role.INSPECTOR,
    "督查组": Role.INSPECTOR,
    "接口": Role.API_CLIENT,
    "接口账号": Role.API_CLIENT,
}
# Letters and digits that cannot be misread on paper (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
PASSWORD_LENGTH = 10


def initial_password() -> str:
    """A random password a clerk can read out over the phone: letters and digits, both."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def role_of(text: str) -> str:
    text = text.strip()
    for value, label in Role.choices:
        if text in (value, label):
            return value
    if text in ROLE_ALIASES:
        return ROLE_ALIASES[text]
    raise RowError("role", f"“{text}”不是可选的角色（可选：{'、'.join(Role.labels)}）。")


class AccountImport(SheetImport):
    kind = "accounts"
    title = "用户账号"
    permissions = ("accounts.add_user", "accounts.change_user")
    columns = (
        Column(
            "username", "用户名", ("登录名", "账号", "登录账号"), True, note="字母、数字或@.+-_"
        ),
        Column("name", "姓名", ("用户姓名", "使用人"), True),
        Column(
            "role",
            "角色",
            ("用户角色", "账号类型"),
            True,
            choices=tuple(Role.labels),
        ),
        Column(
            "areas",
            "管辖区域",
            ("所属区域", "管辖范围", "区域"),
            True,
            note="县、乡镇或村的名称或区划代码；村级帮扶干部可填多个村，用、分隔",
        ),
        Column("township", "乡镇", ("乡(镇)", "所属乡镇"), note="村有重名时填写"),
        Column("phone", "手机号码", ("手机", "手机号", "联系电话", "电话")),
        ID_NUMBER,
        Column("active", "启用", ("是否启用", "状态"), choices=("是", "否"), note="空白为是"),
    )
    field_columns = {
        "username": "username",
        "last_name": "name",
        "role": "role",
        "phone": "phone",
    }
    example = ("yixiang01", "王五", "乡镇工作人员", "一乡", "", "13800000000", "", "是")

    def prepare(self):
        self.areas = AreaFinder(self.user)
        self.cadres = CadreFinder(self.user)
        self.seen: dict[str, int] = {}

    def apply(self, row: Row) -> Change:
        username = row.required("username")
        if (first := self.seen.setdefault(username.lower(), row.number)) != row.number:
            raise RowError("username", f"与第{first}行是同一用户名。")
        role = role_of(row.required("role"))
        areas = self._areas(row, role)
        if error := area_level_error(role, areas):
            raise RowError("areas", error)
        name = row.required("name")
        values = {
            "role": role,
            "phone": row.get("phone"),
        }
        if row.get("active"):
            values["is_active"] = parse_yes_no(row.get("active"), "active")
        cadre = self._cadre(row)
        account = User.objects.filter(username__iexact=username).first()
        if account is None:
            return self._create(row, username, name, values, areas, cadre)
        return self._update(row, account, name, values, areas, cadre)

    def _areas(self, row: Row, role: str) -> list:
        texts = split_list(row.required("areas"))
        levels = tuple(level for level in AreaLevel.values if level in AREA_LEVELS[role])
        found = []
        for text in texts:
            area = self.areas.find_text(text, "areas", levels, row.get("township"))
            if area not in found:
                found.append(area)
        return found

    def _cadre(self, row: Row):
        """The cadre this account is (for 结对帮扶 and visits): by ID number when given (then it
        must exist), else by name + phone when both match one."""
        number = id_number_of(row)
        cadre = self.cadres.match(row.get("name"), row.get("phone"), number)
        if number and cadre is None:
            raise RowError("id_number", "找不到该证件号码的干部：请先导入干部名单，或留空。")
        return cadre

    def _link(self, account: User, cadre, details: list[str]) -> None:
        if cadre is None or account.cadre_id == cadre.pk:
            return
        other = User.objects.filter(cadre=cadre).exclude(pk=account.pk).first()
        if other is not None:
            raise RowError("name", f"干部{cadre.name}已对应账号{other.username}。")
        account.cadre = cadre
        details.append(f"对应干部：{cadre.name}")

    def _create(
        self, row: Row, username: str, name: str, values: dict, areas: list, cadre
    ) -> Change:
        account = User(username=username, last_name=name, must_change_password=True, **values)
        password = initial_password()
        account.set_password(password)
        self._link(account, cadre, [])
        account.full_clean(exclude=["password"])
        account.save()
        account.areas.set(areas)
        if not self.result.dry_run:
            self.result.secrets.append((username, password))
        return Change(
            row.number,
            "created",
            f"{username} {name}",
            f"{Role(values['role']).label}，{'、'.join(a.name for a in areas)}",
        )

    def _update(
        self, row: Row, account: User, name: str, values: dict, areas: list, cadre
    ) -> Change:
        held = list(account.areas.all())
        if account.is_superuser or account.is_staff:
            raise RowError("username", "管理员账号不能通过表格修改，请在管理后台修改。")
        if not held or any(area.pk not in self.areas.by_id for area in held):
            raise RowError(
                "username", f"用户名{account.username}已被您管辖范围以外的账号使用，请换一个。"
            )
        details = changed_fields(account, values)
        if account.display_name != name:
            details.insert(0, f"姓名：{account.display_name} → {name}")
            account.last_name, account.first_name = name, ""
        if {a.pk for a in held} != {a.pk for a in areas}:
            before = "、".join(a.name for a in held)
            details.append(f"管辖区域：{before} → {'、'.join(a.name for a in areas)}")
        self._link(account, cadre, details)
        if not details:
            return Change(row.number, "unchanged", account.username)
        account.full_clean(exclude=["password"])
        account.save()
        account.areas.set(areas)
        return Change(row.number, "updated", account.username, "；".join(details))
