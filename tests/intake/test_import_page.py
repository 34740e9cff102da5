"""The import page: upload, summary, error workbook, column mappings, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiesu.cases.models import Case
from jiesu.intake.models import ColumnMapping, ImportRun
from tests.intake.conftest import HEADER, export_row


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.JIESU_IMPORT_IN_BACKGROUND = False


def upload(client, path, platform="city"):
    with open(path, "rb") as f:
        data = SimpleUploadedFile(path.name, f.read())
    return client.post("/intake/import/", {"platform": platform, "file": data}, follow=True)


def test_upload_shows_the_summary_and_error_workbook(client, people, categories, write_xlsx):
    client.force_login(people["zuoxi"])
    page = upload(
        client, write_xlsx([export_row(1), export_row(2, 来电时间="不详")])
    ).content.decode()
    assert "导入完成:新增 <strong>1</strong> 件" in page and "失败 <strong>1</strong> 行" in page
    run = ImportRun.objects.get()
    response = client.get(f"/intake/import/{run.pk}/errors/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "导入" in client.get("/intake/import/").content.decode()


def test_a_file_missing_a_column_is_refused_with_its_name(client, people, write_xlsx):
    client.force_login(people["zuoxi"])
    header = [h for h in HEADER if h != "工单编号"]
    rows = [[v for h, v in zip(HEADER, export_row(1), strict=True) if h != "工单编号"]]
    page = upload(client, write_xlsx(rows, header=header)).content.decode()
    assert "文件缺少必需的列:工单编号" in page
    assert Case.objects.count() == 0


def test_wrong_file_type_is_refused_before_anything(client, people, tmp_path):
    client.force_login(people["zuoxi"])
    path = tmp_path / "export.pdf"
    path.write_bytes(b"%PDF")
    response = upload(client, path)
    assert response.status_code == 422
    assert "不支持的文件类型" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_saved_mapping_teaches_an_unknown_header(client, people, write_xlsx):
    client.force_login(people["zuoxi"])
    header = ["单号", "来电时间", "标题"]
    client.post(
        "/intake/import/mappings/", {"platform": "city", "header": "单 号", "field": "platform_no"}
    )
    assert ColumnMapping.objects.get().header == "单号"
    upload(client, write_xlsx([["X-1", "2026-03-02 09:00", "路灯不亮"]], header=header))
    assert Case.objects.get().platform_no == "X-1"


def test_only_the_desk_may_import(client, people):
    for username in ["shequ", "shenhe", "ducha"]:
        client.force_login(people[username])
        assert client.get("/intake/import/").status_code == 403


def test_another_streets_desk_cannot_open_a_run(client, people, categories, write_xlsx):
    client.force_login(people["zuoxi"])
    upload(client, write_xlsx([export_row(1)]))
    run = ImportRun.objects.get()
    client.force_login(people["outsider"])
    assert client.get(f"/intake/import/{run.pk}/").status_code == 404
    assert client.get(f"/intake/import/{run.pk}/errors/").status_code == 404
    assert f"/intake/import/{run.pk}/" not in client.get("/intake/import/").content.decode()
    assert list(ImportRun.objects.visible_to(people["outsider"])) == []
    assert list(ImportRun.objects.visible_to(people["zuzhang"])) == [run]
    assert list(ImportRun.objects.visible_to(people["shenhe"])) == []


def test_a_desk_on_two_streets_imports_into_the_first_by_path(client, org, people, write_xlsx):
    from jiesu.org.models import Membership, Role

    Membership.objects.create(user=people["zuoxi"], unit=org["other_street"], role=Role.LEADER)
    first = min(org["street"], org["other_street"], key=lambda street: street.path)
    client.force_login(people["zuoxi"])
    upload(client, write_xlsx([export_row(1)]))
    assert ImportRun.objects.get().street == first


def test_an_expired_desk_grant_imports_nothing(client, people):
    import datetime as dt

    from django.utils import timezone

    from jiesu.org.models import Membership

    Membership.objects.filter(user=people["zuoxi"]).update(
        valid_to=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(people["zuoxi"])
    assert client.get("/intake/import/").status_code == 403
