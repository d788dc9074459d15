"""pytest-snapshot's own kind of test: `snapshot.assert_match` into snapshots/."""


def test_text(snapshot):
    snapshot.assert_match("loss 0.25\n", "loss.txt")


def test_directory(snapshot):
    snapshot.assert_match_dir({"a.txt": "1\n", "b.txt": "2\n"}, "files")
