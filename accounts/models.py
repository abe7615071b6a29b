"""The user: a role and the areas it may act in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from poverty.common.sql import fetch
from villages.models import phone_validator

from .choices import Role


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.LEADER)
    areas = models.ManyToManyField(
        "villages.Area",
        blank=True,
        related_name="users",
        verbose_name="管辖区域",
        help_text="县、乡镇或村；村级帮扶干部可有多个村。",
    )
    cadre = models.OneToOneField(
        "villages.Cadre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name="对应干部",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True, validators=[phone_validator])
    # Set on an account made with an initial password (the account sheet): every page then
    # leads to the password change until the user has chosen their own.
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    # The menu bar's unread-reminder badge, kept by poverty.work.models.recount_unread: read
    # with the user on every page, where counting the rows would be a query more each time.
    unread_notifications = models.PositiveIntegerField("未读提醒", default=0, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("view_sensitive", "查看完整身份证号、电话和健康状况"),
            ("manage_tokens", "签发和吊销辖区内接口账号的令牌"),
        ]

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full}（{self.username}）" if full else self.username

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}".strip() or self.username

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django's answer, remembered on this object (which lives for one request): a list
        page asks the same few permissions some ten times, and each answer walked every
        authentication backend, loaded afresh from settings on every call. The answer is kept
        per role, activity and superuser flag, so changing one of them is seen at once; group
        and user permissions were already cached on the object by ModelBackend."""
        if obj is not None:
            return super().has_perm(perm, obj)
        key = (perm, self.role, self.is_active, self.is_superuser)
        memo = self.__dict__.setdefault("_has_perm_memo", {})
        if key not in memo:
            memo[key] = super().has_perm(perm)
        return memo[key]

    @cached_property
    def scope_codes(self) -> tuple[str, ...]:
        """The 区划代码 of the user's areas; read once per request, on every page, so in plain
        SQL (building the ORM's join cost more than running it)."""
        if not self.pk:
            return ()
        through = self.areas.through._meta.db_table
        return tuple(
            code
            for (code,) in fetch(
                f"SELECT a.code FROM villages_area a JOIN {through} u ON u.area_id = a.id "  # noqa: S608
                "WHERE u.user_id = %s ORDER BY a.code",
                [self.pk],
            )
        )


class ApiToken(models.Model):
    """An API-client account's token (令牌), kept only as its SHA-256: the key itself is shown
    once, when issued (accounts.tokens.issue), and a copy of the database cannot call the API.
    One per account; issuing another replaces it."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="api_token", verbose_name="接口账号"
    )
    digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    created = models.DateTimeField("签发时间", auto_now_add=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user}：{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()
