"""The snapshot's mapping split into chunks: a changed copy reads like a dict with the same changes made, and
shares every chunk the change did not touch (the cost of a write follows the change, not the site)."""

from __future__ import annotations

import random

from phonesvc.store.chunks import Chunks


def test_a_changed_copy_reads_like_a_dict_with_the_same_changes():
    rng = random.Random(3)
    model = {i: f"row {i}" for i in range(0, 3000, 3)}
    chunks = Chunks(model)
    for _ in range(300):
        fresh = {rng.randrange(4000): f"Léonard & <{rng.random()}>" for _ in range(rng.randrange(4))}
        gone = [rng.randrange(4000) for _ in range(rng.randrange(3))]
        before, snapshot = chunks, dict(model)
        chunks = chunks.changed(fresh, [k for k in gone if k not in fresh], ordered=True)
        for k in gone:
            model.pop(k, None)
        model.update(fresh)
        assert before == snapshot  # the mapping it came from is unchanged
        assert chunks == model and len(chunks) == len(model)
        assert list(chunks) == sorted(model) and list(chunks.values()) == [model[k] for k in sorted(model)]
        key = rng.randrange(4000)
        assert (key in chunks, chunks.get(key, "none")) == (key in model, model.get(key, "none"))


def test_text_keys_keep_their_values_and_a_new_key_goes_last_in_an_unordered_mapping():
    chunks = Chunks({"Vlahović": (1,), "+4930123": (2, 3)})
    changed = chunks.changed({"Vlahović": (4,), "0800": ()}, ["+4930123"])
    assert dict(changed.items()) == {"Vlahović": (4,), "0800": ()}
    assert changed["0800"] == () and "+4930123" not in changed and chunks["+4930123"] == (2, 3)


def test_a_change_to_one_of_thousands_of_keys_copies_one_chunk():
    chunks = Chunks({i: object() for i in range(1, 20_001)})
    changed = chunks.changed({7_001: "new"}, [])
    # every chunk but the one holding 7001 is the very same dict: not copied
    assert sum(a is not b for a, b in zip(chunks._chunks.values(), changed._chunks.values(), strict=True)) == 1
