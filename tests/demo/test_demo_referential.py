"""The INSEE referential: pinned, fetched atomically, read from the archive at run time."""

import json
import shutil
import subprocess
import sys
import tarfile

import pytest

from territoria.demo import referential
from territoria.demo.referential import (
    CENTRES_INTEGRITY,
    GRAND_EST_DEPARTEMENTS,
    ReferentialMissing,
    fetch_centres,
    fetch_pinned,
    fetch_referential,
    integrity_of,
    is_intact,
    load_referential,
)


def raw_communes(archive) -> list[dict]:
    """communes.json read directly, independently of the code under test."""
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("package/data/communes.json"))


def test_fetch_keeps_an_intact_archive_without_downloading(referential_archive, tmp_path):
    copy = tmp_path / "ref.tgz"
    shutil.copyfile(referential_archive, copy)
    path, downloaded = fetch_referential(copy, url="http://127.0.0.1:9/unreachable.tgz")
    assert (path, downloaded) == (copy, False)


def test_fetch_writes_a_verified_archive_in_one_rename(referential_archive, tmp_path):
    target = tmp_path / "sub" / "ref.tgz"
    path, downloaded = fetch_referential(target, url=referential_archive.as_uri())
    assert downloaded and is_intact(path)
    assert [p.name for p in target.parent.iterdir()] == ["ref.tgz"]  # no temporary left


def test_fetch_refuses_an_archive_that_does_not_match_the_pinned_integrity(tmp_path):
    forged = tmp_path / "forged.tgz"
    forged.write_bytes(b"not the package")
    target = tmp_path / "ref.tgz"
    with pytest.raises(ReferentialMissing, match="integrity mismatch"):
        fetch_referential(target, url=forged.as_uri())
    assert list(tmp_path.iterdir()) == [forged]


def test_fetch_replaces_an_altered_archive(referential_archive, tmp_path):
    target = tmp_path / "ref.tgz"
    target.write_bytes(b"truncated")
    path, downloaded = fetch_referential(target, url=referential_archive.as_uri())
    assert downloaded and is_intact(path)


def test_fetch_refuses_a_centres_archive_of_the_wrong_checksum(tmp_path):
    forged = tmp_path / "forged.tgz"
    forged.write_bytes(b"cities500, but not the pinned one")
    target = tmp_path / "referential" / "cities.tgz"
    with pytest.raises(ReferentialMissing, match="integrity mismatch") as error:
        fetch_centres(target, url=forged.as_uri())
    assert CENTRES_INTEGRITY in str(error.value)
    assert not target.exists() and list(target.parent.iterdir()) == []  # no temporary left


def test_fetch_streams_any_pinned_file_and_keeps_an_intact_one(tmp_path):
    """The same checked download serves both archives; a payload of several chunks."""
    source = tmp_path / "source.tgz"
    source.write_bytes(bytes(range(256)) * 20_000)  # 5 MB: several reads of 1 MB
    pinned = integrity_of(source.read_bytes())
    target = tmp_path / "copy.tgz"
    assert fetch_pinned(target, url=source.as_uri(), integrity=pinned) == (target, True)
    assert target.read_bytes() == source.read_bytes() and is_intact(target, pinned)
    unreachable = "http://127.0.0.1:9/unreachable.tgz"
    assert fetch_pinned(target, url=unreachable, integrity=pinned) == (target, False)
    with pytest.raises(ReferentialMissing, match="cannot download"):
        fetch_pinned(tmp_path / "other.tgz", url=unreachable, integrity=pinned)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.tgz", "source.tgz"]


def test_fetch_centres_keeps_the_real_archive(centres_archive, tmp_path):
    copy = tmp_path / "cities.tgz"
    shutil.copyfile(centres_archive, copy)
    assert referential.main(["fetch-centres", str(copy)]) == 0
    assert fetch_centres(copy, url="http://127.0.0.1:9/unreachable.tgz") == (copy, False)


def test_missing_archive_names_the_command_to_run(tmp_path):
    with pytest.raises(ReferentialMissing) as error:
        load_referential(tmp_path / "absent.tgz")
    message = str(error.value)
    assert "make demo" in message and "\n" not in message


def test_broken_archive_is_reported_in_one_line(tmp_path):
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ReferentialMissing, match="unreadable.*make demo"):
        load_referential(broken)


def test_fetch_command_line_needs_no_django(referential_archive, tmp_path):
    copy = tmp_path / "ref.tgz"
    shutil.copyfile(referential_archive, copy)
    result = subprocess.run(
        [sys.executable, "-m", "territoria.demo.referential", "fetch", str(copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "already present and intact" in result.stdout
    assert referential.main(["bogus"]) == 2


def test_grand_est_is_read_as_in_communes_json(ref, referential_archive):
    expected = [
        c["code"]
        for c in raw_communes(referential_archive)
        if c["type"] == "commune-actuelle" and c.get("region") == "44"
    ]
    assert sorted(c.code for c in ref.communes_of_region()) == sorted(expected)
    assert len(expected) > 5000
    assert [d.code for d in ref.departements_of_region()] == list(GRAND_EST_DEPARTEMENTS)
    strasbourg = ref.commune("67482")
    assert (strasbourg.nom, strasbourg.epci) == ("Strasbourg", "246700488")
    assert ref.commune("08105").codes_postaux == ("08000",)


def test_every_grand_est_commune_belongs_to_an_epci(ref):
    assert all(c.epci for c in ref.communes_of_region())
    assert any(len(e.membres) > 100 for e in ref.epci_of_region())
