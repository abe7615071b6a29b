"""The villages pages as staff use them: filters, search, forms, masking, history, deletion."""

import re

import pytest
from django.urls import reverse

from accounts.choices import Role
from tests.factories import CadreFactory, UnitFactory, VillagePostingFactory
from villages.models import Area, Cadre

pytestmark = pytest.mark.django_db


def listed(response):
    return [row.record for row in response.context["table"].paginated_rows]


def test_area_list_filters_by_level_poverty_and_search(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    url = reverse("villages:area_list")
    poor = listed(client.get(url, {"level": "village", "is_poor": "true"}))
    assert poor == [world.v11, world.v21]
    assert listed(client.get(url, {"q": "二镇"})) == [world.t2, world.v21, world.v22]
    assert listed(client.get(url, {"within": world.t1.pk, "level": "village"})) == [
        world.v11,
        world.v12,
    ]


def test_filter_choices_hold_only_areas_in_scope(client, make_user, world):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    response = client.get(reverse("villages:area_list"))
    choices = list(response.context["filter"].form.fields["within"].queryset)
    assert world.t2 not in choices and world.v21 not in choices
    # Asking for an area outside the scope is not an error page, just an invalid filter.
    assert listed(client.get(reverse("villages:area_list"), {"within": world.t2.pk})) == []


def test_list_paginates(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    unit = UnitFactory(area=world.county)
    CadreFactory.create_batch(7, unit=unit)
    response = client.get(reverse("villages:cadre_list"), {"per_page": 5})
    assert len(listed(response)) == 5
    assert "共 7 条" in response.content.decode()
    assert len(listed(client.get(reverse("villages:cadre_list"), {"per_page": 5, "page": 2}))) == 2


def test_creating_a_village_through_the_form(client, make_user, world):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    response = client.post(
        reverse("villages:area_add"),
        {
            "code": "990123100209",
            "name": "新建村",
            "is_poor": "on",
            "planned_exit_year": "2019",
            "rural_population": "880",
        },
    )
    assert response.status_code == 302
    village = Area.objects.get(code="990123100209")
    assert village.level == "village" and village.parent == world.t1
    assert village.history.first().history_user.role == Role.TOWNSHIP_STAFF


def test_a_township_user_cannot_create_a_village_in_the_other_township(client, make_user, world):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    response = client.post(
        reverse("villages:area_add"),
        {"code": "990123101209", "name": "越界村", "rural_population": "880"},
    )
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Area.objects.filter(code="990123101209").exists()


def test_form_errors_are_in_chinese_and_name_the_field(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.post(reverse("villages:area_add"), {"code": "12345", "name": ""})
    page = response.content.decode()
    assert "区划代码须为12位数字" in page and "该字段是必填项" in page


def test_phone_numbers_are_masked_without_the_sensitive_permission(client, make_user, world):
    CadreFactory(unit=UnitFactory(area=world.county), name="王明", phone="13912345678")
    client.force_login(make_user(Role.LEADER, world.county))
    page = client.get(reverse("villages:cadre_list")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    api = client.get(reverse("api:cadre-list")).json()
    assert api["results"][0]["phone"] == "139****5678"
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert "13912345678" in client.get(reverse("villages:cadre_list")).content.decode()


def test_detail_page_shows_history_and_related_postings(client, make_user, world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="李华")
    VillagePostingFactory(cadre=cadre, village=world.v11)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    client.post(
        reverse("villages:cadre_edit", args=[cadre.pk]),
        {"name": "李华", "phone": "13900000000", "unit": cadre.unit_id, "position": "副局长"},
    )
    page = client.get(reverse("villages:cadre_detail", args=[cadre.pk])).content.decode()
    assert "副局长" in page and "一乡甲村" in page and "变更记录" in page
    page = client.get(reverse("villages:area_detail", args=[world.v11.pk])).content.decode()
    assert "李华" in page


def test_deleting_an_area_that_others_use_is_refused_with_a_message(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.post(reverse("villages:area_delete", args=[world.t1.pk]), follow=True)
    assert "仍被其他记录引用，不能删除" in response.content.decode()
    assert Area.objects.filter(pk=world.t1.pk).exists()


def test_village_cadre_sees_only_own_village(client, make_user, world):
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11))
    assert listed(client.get(reverse("villages:area_list"))) == [world.v11]
    assert client.get(reverse("villages:area_detail", args=[world.v12.pk])).status_code == 404
    assert client.get(reverse("villages:area_edit", args=[world.v11.pk])).status_code == 403


def test_pages_declare_a_phone_viewport(client, make_user, world):
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11))
    page = client.get(reverse("home")).content.decode()
    assert 'name="viewport" content="width=device-width' in page
    # Every asset from this site: no other host, no CDN. (Not a bare "cdn": the page's random
    # CSRF token holds those three letters now and then.)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert "cdn." not in page.lower()


def test_api_create_out_of_scope_is_400_with_a_message(client, make_user, world):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    unit = UnitFactory(area=world.t1)
    response = client.post(
        reverse("api:cadre-list"),
        {"name": "张三", "unit": UnitFactory(area=world.t2).pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "对象不存在" in str(response.json()["unit"])
    response = client.post(
        reverse("api:cadre-list"),
        {"name": "张三", "unit": unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Cadre.objects.filter(name="张三", unit=unit).exists()


def test_dated_relation_lists_link_to_each_relation(client, make_user, world):
    posting = VillagePostingFactory(
        cadre=CadreFactory(unit=UnitFactory(area=world.county)), village=world.v11
    )
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    page = client.get(reverse("villages:villageposting_list")).content.decode()
    assert f'href="{posting.get_absolute_url()}">查看</a>' in page
    assert "在任" in page
