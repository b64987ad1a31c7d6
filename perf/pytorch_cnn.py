#!/usr/bin/python3
"""The comparison network of issue 12 in PyTorch, for the side-by-side with `--preset cnn` (not part of the tests).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 perf/pytorch_cnn.py --threads 1   (then --threads 2)

Debian's python3-torch 1.13 (CPU, OpenBLAS). The same network, data and training as the preset: MNIST's 60,000
training images (the first 54,000 train, as GpuSiamese's 10 % validation split leaves), 2x2 mean-pooled to 14x14
in [0, 1]; conv 32 3x3 same -> ReLU -> max-pool 2 -> conv 64 3x3 same -> ReLU -> max-pool 2 -> flatten -> dense 128
ReLU -> dense 32 linear; margin contrastive loss (1-Y)E^2 + Y max(m-E, 0)^2 with m = 2 (Y = 1 for different
digits); Adam lr 0.001 with a cosine schedule to 0 over all steps; 15 epochs of 60,000 balanced pairs in batches
of 64 pairs (both images of a pair in one 128-image batch). Scored on a balanced set of 17,000 test pairs
(8,500 same digit, 8,500 different): the ROC AUC of -E. Prints training seconds, AUC and peak RSS.
"""
import argparse, os, resource, struct, sys, time

import numpy as np
import torch
import torch.nn as nn


def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(data, np.uint8, offset=8)


def pool14(raw):
    r = raw.astype(np.int32)
    s = r[:, 0::2, 0::2] + r[:, 0::2, 1::2] + r[:, 1::2, 0::2] + r[:, 1::2, 1::2]
    return (s / 1020.0).astype(np.float32)


def balanced_pairs(labels, count, rng):
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    left = np.empty(count, np.int64); right = np.empty(count, np.int64); y = np.empty(count, np.float32)
    for p in range(count):
        d = rng.integers(10)
        left[p] = rng.choice(by_digit[d])
        if p % 2 == 0:
            right[p] = rng.choice(by_digit[d]); y[p] = 0
        else:
            e = (d + 1 + rng.integers(9)) % 10
            right[p] = rng.choice(by_digit[e]); y[p] = 1
    return left, right, y


def auc(scores, positive):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores)); ranks[order] = np.arange(1, len(scores) + 1)
    npos = positive.sum(); nneg = len(scores) - npos
    return (ranks[positive].sum() - npos * (npos + 1) / 2) / (npos * nneg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--pairs", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/gpusiamese/mnist"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    train = pool14(idx(os.path.join(a.data, "train-images-idx3-ubyte")))[:54000]
    train_labels = idx(os.path.join(a.data, "train-labels-idx1-ubyte"))[:54000]
    test = pool14(idx(os.path.join(a.data, "t10k-images-idx3-ubyte")))
    test_labels = idx(os.path.join(a.data, "t10k-labels-idx1-ubyte"))
    train_t = torch.from_numpy(train).unsqueeze(1)
    test_t = torch.from_numpy(test).unsqueeze(1)

    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 3 * 3, 128), nn.ReLU(), nn.Linear(128, 32))
    batch = 64
    steps_per_epoch = (a.pairs + batch - 1) // batch
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs * steps_per_epoch)
    margin = 2.0

    start = time.perf_counter()
    for epoch in range(a.epochs):
        left, right, y = balanced_pairs(train_labels, a.pairs, rng)
        perm = rng.permutation(a.pairs)
        total = 0.0
        for s in range(steps_per_epoch):
            ix = perm[s * batch:(s + 1) * batch]
            x = torch.cat([train_t[left[ix]], train_t[right[ix]]])
            yb = torch.from_numpy(y[ix])
            e = net(x)
            n = len(ix)
            dist = torch.sqrt(torch.clamp(((e[:n] - e[n:]) ** 2).sum(1), min=1e-7))
            loss = ((1 - yb) * dist ** 2 + yb * torch.clamp(margin - dist, min=0) ** 2).mean()
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            total += loss.item()
        print(f"epoch {epoch + 1}: mean loss {total / steps_per_epoch:.4f} ({time.perf_counter() - start:.1f} s)", flush=True)
    seconds = time.perf_counter() - start

    with torch.no_grad():
        emb = torch.cat([net(test_t[i:i + 2000]) for i in range(0, len(test_t), 2000)]).numpy()
    tl, tr, ty = balanced_pairs(test_labels, 17000, np.random.default_rng(12345))
    d = np.sqrt(np.maximum(((emb[tl] - emb[tr]) ** 2).sum(1), 1e-7))
    print(f"threads {a.threads}: training {seconds:.1f} s, test AUC {auc(-d, ty == 0):.5f}, "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
