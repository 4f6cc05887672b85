"""Mini-batch partitions: every point once per epoch, the remainder batch, reproducible seeds."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from optlib.train import MiniBatches, batch_indices

sizes = st.integers(min_value=1, max_value=200)
batch_sizes = st.integers(min_value=1, max_value=64)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


@given(n=sizes, b=batch_sizes, seed=seeds)
def test_every_index_exactly_once_and_the_remainder_last(n, b, seed):
    batches = batch_indices(n, b, generator=torch.Generator().manual_seed(seed))
    assert sorted(torch.cat(batches).tolist()) == list(range(n))
    assert len(batches) == -(-n // b)
    assert all(len(idx) == b for idx in batches[:-1])
    assert len(batches[-1]) == (n % b or b)
    assert all(idx.dtype == torch.int64 for idx in batches)


@given(n=sizes, b=batch_sizes, seed=seeds)
def test_drop_last_keeps_only_full_batches(n, b, seed):
    batches = batch_indices(n, b, drop_last=True, generator=torch.Generator().manual_seed(seed))
    assert len(batches) == n // b
    assert all(len(idx) == b for idx in batches)
    used = torch.cat(batches).tolist() if batches else []
    assert len(set(used)) == len(used) == (n // b) * b
    assert set(used) <= set(range(n))


@given(n=sizes, b=batch_sizes, seed=seeds)
def test_same_seed_same_epochs(n, b, seed):
    g1, g2 = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    for _ in range(3):
        e1, e2 = batch_indices(n, b, generator=g1), batch_indices(n, b, generator=g2)
        assert all(torch.equal(i, j) for i, j in zip(e1, e2, strict=True))


@given(n=st.integers(min_value=10, max_value=200), b=batch_sizes, seed=seeds)
def test_a_new_order_every_epoch(n, b, seed):
    # Two equal permutations of >= 10 points have probability <= 1/10! per pair.
    g = torch.Generator().manual_seed(seed)
    first = torch.cat(batch_indices(n, b, generator=g))
    second = torch.cat(batch_indices(n, b, generator=g))
    assert not torch.equal(first, second)


@given(n=sizes, b=batch_sizes)
def test_no_shuffle_keeps_the_order(n, b):
    assert torch.cat(batch_indices(n, b, shuffle=False)).tolist() == list(range(n))


@given(n=st.integers(min_value=2, max_value=100), b=batch_sizes, seed=seeds)
def test_minibatches_yield_matching_pairs(n, b, seed):
    X = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    y = 10 * torch.arange(n)
    loader = MiniBatches(X, y, b, seed=seed)
    pairs = list(loader)
    assert len(pairs) == len(loader) == -(-n // b)
    for xb, yb in pairs:
        assert torch.equal(10 * xb[:, 0].long(), yb)
    assert sorted(torch.cat([yb for _, yb in pairs]).tolist()) == list(range(0, 10 * n, 10))


def test_minibatches_match_batch_indices_with_the_same_seed():
    X, y = torch.randn(23, 2), torch.randn(23)
    loader = MiniBatches(X, y, 5, seed=4)
    g = torch.Generator().manual_seed(4)
    for _ in range(2):
        for (xb, yb), idx in zip(loader, batch_indices(23, 5, generator=g), strict=True):
            assert torch.equal(xb, X[idx]) and torch.equal(yb, y[idx])


def test_minibatches_state_dict_resumes_the_sequence():
    X, y = torch.randn(30, 1), torch.randn(30)
    a = MiniBatches(X, y, 7, seed=1)
    list(a)
    saved = a.state_dict()
    assert saved["generator"].dtype == torch.uint8
    expected = [xb for xb, _ in a]
    b = MiniBatches(X, y, 7, seed=99)
    b.load_state_dict(saved)
    assert all(torch.equal(u, v) for u, v in zip((xb for xb, _ in b), expected, strict=True))


def test_full_batch_is_the_data_itself():
    X, y = torch.randn(9, 2), torch.randn(9)
    (xb, yb), = list(MiniBatches(X, y, None))
    assert xb is X and yb is y
    assert len(MiniBatches(X, y, 100)) == 1


@pytest.mark.parametrize("b", [0, -3, 2.5, True, None])
def test_bad_batch_size(b):
    with pytest.raises(ValueError, match=r"Invalid batch_size\b"):
        batch_indices(10, b)


def test_bad_minibatches_input():
    with pytest.raises(ValueError, match=r"Invalid n\b"):
        batch_indices(0, 3)
    with pytest.raises(ValueError, match=r"Invalid y\b"):
        MiniBatches(torch.zeros(5, 1), torch.zeros(4), 2)
    with pytest.raises(ValueError, match=r"Invalid X\b"):
        MiniBatches(torch.zeros(0, 1), torch.zeros(0), 2)
    with pytest.raises(ValueError, match=r"Invalid batch_size\b"):
        MiniBatches(torch.zeros(5, 1), torch.zeros(5), 0)
    with pytest.raises(ValueError, match=r"Invalid batch_size\b.*drop_last"):
        MiniBatches(torch.zeros(5, 1), torch.zeros(5), 6, drop_last=True)
