"""Issue 13: the cafes file and the cafes in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cafes.registry import CafeRegistry
from bot.cafes.spec import CafeFileError, load_cafes
from bot.escalation.experts import ExpertRegistry
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database

EXAMPLE = Path(__file__).resolve().parent.parent / "cafes.example.yaml"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def test_the_shipped_example_loads_and_syncs_again_without_change(db):
    specs = load_cafes(EXAMPLE)
    cafes = CafeRegistry(db, admins=[1])
    first = cafes.sync(specs)
    assert first.added == ["seongsu", "sinchon"] and first.deactivated == []
    again = cafes.sync(specs)
    assert again.added == [] and again.updated == ["seongsu", "sinchon"]
    assert [c.name("en") for c in cafes.cafes()] == ["Seongsu Startup Cafe", "Sinchon Startup Cafe"]
    experts = {e.user_id: (e.cafe_id, e.specialties, e.capacity) for e in ExpertRegistry(db).all()}
    assert experts[8001] == ("seongsu", ["핀테크", "콘텐츠"], 5) and experts[8011][0] == "sinchon"
    assert cafes.staff_cafes(9001) == {"seongsu"} and StaffRegistry(db, []).is_staff(9011)
    assert cafes.scope(9001).allows("seongsu") and not cafes.scope(9001).allows("sinchon")
    assert cafes.scope(1).allows("sinchon")  # a city-wide admin


def test_a_cafe_left_out_of_the_file_is_kept_but_no_longer_offered(db, tmp_path):
    cafes = CafeRegistry(db)
    cafes.sync(load_cafes(EXAMPLE))
    cafes.choose(5001, "sinchon")
    only_seongsu = tmp_path / "cafes.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    only_seongsu.write_text(text[: text.index("  - id: sinchon")], encoding="utf-8")
    report = cafes.sync(load_cafes(only_seongsu))
    assert report.deactivated == ["sinchon"]
    assert [c.id for c in cafes.cafes()] == ["seongsu"]
    assert cafes.get("sinchon") is not None and cafes.founder_cafe(5001) == "sinchon"  # history stays
    assert 8011 not in {e.user_id for e in ExpertRegistry(db).all()}  # its experts get no new tickets
    with pytest.raises(KeyError):
        cafes.choose(5002, "sinchon")


def test_the_nearest_cafe_comes_from_the_district_names(db):
    cafes = CafeRegistry(db)
    cafes.sync(load_cafes(EXAMPLE))
    assert [c.id for c in cafes.near("성동구에서 가장 가까운 창업카페는 어디예요?")] == ["seongsu"]
    assert [c.id for c in cafes.near("서대문 근처 카페")] == ["sinchon"]
    assert cafes.near("강남역 근처 카페") == []


def test_a_bad_file_is_refused_with_what_is_wrong(tmp_path):
    bad = tmp_path / "cafes.yaml"
    bad.write_text("cafes:\n  - id: Seong Su\n    name: {ko: 성수}\n", encoding="utf-8")
    with pytest.raises(CafeFileError) as refused:
        load_cafes(bad)
    assert "cafes.0.id" in str(refused.value) and "cafes.0.name.en" in str(refused.value)
    twice = tmp_path / "twice.yaml"
    twice.write_text("cafes:\n  - {id: a, name: {ko: 가, en: A}}\n  - {id: a, name: {ko: 나, en: B}}\n",
                     encoding="utf-8")
    with pytest.raises(CafeFileError, match="listed twice"):
        load_cafes(twice)
